"""Project-manager message threads: one thread per project between the client and the operators.

- `messages`: one row per message, keyed (project_id, seq); seq counts 1, 2, 3… per thread, so "since" is a
  message number and a page never splits two messages of the same millisecond.
- `message-threads`: one row per thread: the last seq, the seq up to which each side has read, and the
  quiet-period notice: the time it becomes due (last message + quiet period) and how many messages each side has
  not been mailed about. Rows with a notice due are in a sparse index the notifier queries by due time (never a
  scan). Unread counts are counted from the messages after a side's read mark (a thread is short).
  Threads whose latest client message the operators have not read are in a second sparse index (the operators'
  inbox), by the time of that message: set by a client's post, removed when the operators read to the end or
  reply.

A message and its thread's update are one transaction, conditional on the thread's last seq (optimistic: a
concurrent post makes the caller retry with the next number).
"""

from collections.abc import Iterator

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bytebridge.dal.base import (
    BaseMeta,
    IntAttribute,
    TimestampMs,
    delete_partition,
    get_or_none,
    table,
    transact,
    update_if,
)

SIDES = ("client", "operator")
NOTICE_PENDING = "pending"  # the only value of notice_flag: its presence puts the thread in the notice index
INBOX_UNREAD = "unread"  # the only value of inbox_flag: its presence puts the thread in the operators' inbox


class MessageModel(Model):
    class Meta(BaseMeta):
        table_name = table("messages")

    project_id = UnicodeAttribute(hash_key=True)
    seq = IntAttribute(range_key=True)
    at = TimestampMs()
    sender_role = UnicodeAttribute()  # client | operator
    author = UnicodeAttribute()  # the client's userId or the operator's e-mail
    text = UnicodeAttribute()
    item_id = UnicodeAttribute(null=True)


class NoticeIndex(GlobalSecondaryIndex):
    """Threads with messages nobody was mailed about yet (sparse), by the time their quiet period ends."""

    class Meta:
        index_name = "notice-due"
        projection = AllProjection()

    notice_flag = UnicodeAttribute(hash_key=True)
    notice_due = TimestampMs(range_key=True)


class InboxIndex(GlobalSecondaryIndex):
    """Threads with a client message the operators have not read (sparse), by that message's time."""

    class Meta:
        index_name = "operator-inbox"
        projection = AllProjection()

    inbox_flag = UnicodeAttribute(hash_key=True)
    inbox_at = TimestampMs(range_key=True)


class MessageThreadModel(Model):
    class Meta(BaseMeta):
        table_name = table("message-threads")

    project_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()  # the project's client
    last_seq = IntAttribute(default=0)
    last_at = TimestampMs(null=True)
    client_read_seq = IntAttribute(default=0)  # the client has read the thread up to this message
    operator_read_seq = IntAttribute(default=0)
    # Messages of the other side not yet mailed to this side (the quiet-period notice).
    client_unmailed = IntAttribute(default=0)
    operator_unmailed = IntAttribute(default=0)
    notice_flag = UnicodeAttribute(null=True)
    notice_due = TimestampMs(null=True)

    inbox_flag = UnicodeAttribute(null=True)
    inbox_at = TimestampMs(null=True)  # the latest client message's time, while inbox_flag is set

    notice_index = NoticeIndex()
    inbox_index = InboxIndex()


T = MessageThreadModel


def get_thread(project_id: str) -> MessageThreadModel | None:
    return get_or_none(MessageThreadModel, project_id)


def insert_message(
    project_id: str,
    user_id: str,
    expected_seq: int,
    *,
    at: int,
    sender_role: str,
    author: str,
    text: str,
    item_id: str | None,
    notice_due: int,
) -> MessageModel:
    """Write message number expected_seq + 1 and count it on the thread, in one transaction; ConditionFailed if
    the thread's last seq is no longer expected_seq (another message came first: retry with the new number)."""
    other = "operator" if sender_role == "client" else "client"
    message = MessageModel(
        project_id, expected_seq + 1, at=at, sender_role=sender_role, author=author, text=text, item_id=item_id
    )
    thread = MessageThreadModel(project_id)
    unchanged = (T.last_seq == expected_seq) if expected_seq else T.project_id.does_not_exist() | (T.last_seq == 0)
    # A client's message puts the thread in the operators' inbox; an operator's reply (they read it all) takes it out.
    inbox = (
        [T.inbox_flag.set(INBOX_UNREAD), T.inbox_at.set(at)]
        if sender_role == "client"
        else [T.inbox_flag.remove(), T.inbox_at.remove()]
    )
    with transact() as tx:
        tx.update(
            thread,
            actions=[
                *inbox,
                T.user_id.set(user_id),
                T.last_seq.set(expected_seq + 1),
                T.last_at.set(at),
                getattr(T, f"{sender_role}_read_seq").set(expected_seq + 1),  # one has read what one wrote
                getattr(T, f"{other}_unmailed").add(1),
                T.notice_flag.set(NOTICE_PENDING),
                T.notice_due.set(notice_due),  # every message restarts the quiet period
            ],
            condition=unchanged,
        )
        tx.save(message, condition=MessageModel.seq.does_not_exist())
    return message


def page_messages(project_id: str, after_seq: int, limit: int) -> list[MessageModel]:
    """Messages with seq > after_seq, oldest first, at most `limit`."""
    return list(MessageModel.query(project_id, MessageModel.seq > after_seq, consistent_read=True, limit=limit))


def latest_from(project_id: str, sender_role: str) -> MessageModel | None:
    """The newest message `sender_role` wrote in the thread."""
    for message in MessageModel.query(
        project_id,
        scan_index_forward=False,
        filter_condition=MessageModel.sender_role == sender_role,
        consistent_read=True,
    ):
        return message
    return None


def set_read(project_id: str, reader_role: str, seq: int) -> bool:
    """Record that `reader_role` has read the thread up to message `seq` (never backwards, never past the last
    message); False if nothing changed."""
    read = getattr(T, f"{reader_role}_read_seq")
    condition = T.project_id.exists() & (read.does_not_exist() | (read < seq)) & (T.last_seq >= seq)
    moved = update_if(MessageThreadModel(project_id), [read.set(seq)], condition)
    if reader_role == "operator":
        # Out of the inbox once the operators have read the last message (not if a client's arrived meanwhile).
        caught_up = T.inbox_flag.exists() & (T.last_seq <= T.operator_read_seq)
        update_if(MessageThreadModel(project_id), [T.inbox_flag.remove(), T.inbox_at.remove()], caught_up)
    return moved


def count_from(project_id: str, after_seq: int, sender_role: str) -> int:
    """How many messages `sender_role` wrote after message `after_seq`."""
    return MessageModel.count(
        project_id,
        MessageModel.seq > after_seq,
        filter_condition=MessageModel.sender_role == sender_role,
        consistent_read=True,
    )


def due_threads(now: int) -> Iterator[MessageThreadModel]:
    """Threads whose quiet period is over with messages not yet mailed, each re-read strongly (the index lags)."""
    for hit in list(T.notice_index.query(NOTICE_PENDING, T.notice_due <= now)):
        thread = get_thread(hit.project_id)
        if thread is not None:
            yield thread


def inbox_threads(limit: int, start: dict | None = None) -> tuple[list[MessageThreadModel], dict | None]:
    """A page of the operators' inbox, newest client message first, at most `limit`, from `start` (the previous
    page's last key); each thread re-read strongly (the index lags) and dropped if read meanwhile."""
    hits = T.inbox_index.query(INBOX_UNREAD, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    threads = [get_thread(hit.project_id) for hit in hits]
    fresh = [thread for thread in threads if thread is not None and thread.inbox_flag == INBOX_UNREAD]
    return fresh, hits.last_evaluated_key


def settle_notice(thread: MessageThreadModel, client_mailed: int, operator_mailed: int) -> bool:
    """Take the mailed messages off the thread, then drop it from the index if no message arrived since it was
    read (its last seq is unchanged); False if one did (it restarted the quiet period: a later run mails it)."""
    counts = []
    if client_mailed:
        counts.append(T.client_unmailed.add(-client_mailed))
    if operator_mailed:
        counts.append(T.operator_unmailed.add(-operator_mailed))
    if counts:
        update_if(thread, counts, T.project_id.exists())
    return update_if(thread, [T.notice_flag.remove(), T.notice_due.remove()], T.last_seq == thread.last_seq)


def delete_thread(project_id: str) -> None:
    """Every message of the project and its thread row (a deleted project's purge)."""
    delete_partition(MessageModel, project_id)
    delete_partition(MessageThreadModel, project_id)
