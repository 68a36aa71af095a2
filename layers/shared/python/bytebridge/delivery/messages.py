"""Project-manager messages (docs FAQ: 项目经理): one thread per project between the client and ByteBridge's
operators. Messages are numbered 1, 2, 3… per thread (`seq`); listing pages oldest first (newest last) after a
seq; each side has a read mark, so each side has an unread count.

A new message mails the other side once, after the thread has been quiet for the quiet period (settings
message_quiet_seconds, default 10 minutes, in business time): every message restarts the period, and the
scheduled notifier (send_quiet_thread_notices) mails each side one notice for all the messages it has not been
mailed about. The client gets the notice in its language (non-essential: it can unsubscribe); the operators'
team mailbox (settings operators_email) gets the client's messages.

The functions below take project ids: callers check who may use the thread (the signed client API through
client_post / client_list, which answer code 8 for another tenant's project; the operator API checks the group).
"""

from dataclasses import dataclass

from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.items import get_item
from bytebridge.dal.messages import (
    MessageModel,
    count_from,
    due_threads,
    get_thread,
    insert_message,
    latest_from,
    page_messages,
    set_read,
    settle_notice,
)
from bytebridge.dal.projects import find_project, get_live_project
from bytebridge.delivery import notices
from bytebridge.delivery.notices import Kind
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.models.messages import (
    MAX_MESSAGE_CHARS,
    MAX_PAGE,
    ListMessagesData,
    ListMessagesParams,
    MessageRecord,
    PostMessageData,
    PostMessageParams,
)
from bytebridge.settings import get_settings

CLIENT = "client"
OPERATOR = "operator"
ROLES = (CLIENT, OPERATOR)
_POST_ATTEMPTS = 10
OPERATORS_LANGUAGE = "en"


class MessageError(ValueError):
    """A message the thread refuses: unknown project, unknown item, empty or too long text, unknown role."""


@dataclass(frozen=True)
class Message:
    project_id: str
    seq: int
    at: int
    sender_role: str
    author: str  # the client's userId or the operator's e-mail (shown to operators only)
    text: str
    item_id: str | None


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    next_since: int | None  # pass as `since` for the next page; None on the last page
    unread: int  # for the reader (when listing as one): the other side's messages after its read mark


def _other(role: str) -> str:
    return OPERATOR if role == CLIENT else CLIENT


def _role(role: str) -> str:
    if role not in ROLES:
        raise MessageError(f"sender_role must be one of {', '.join(ROLES)}")
    return role


def _message(row: MessageModel) -> Message:
    return Message(row.project_id, row.seq, row.at, row.sender_role, row.author, row.text, row.item_id)


def post_message(project_id: str, sender_role: str, author: str, text: str, item_id: str | None = None) -> Message:
    """Append a message to the project's thread and (re)start its quiet period. MessageError if the project does
    not exist (or was deleted), the item is not one of its items, or the text is empty or too long."""
    _role(sender_role)
    text = (text or "").strip()
    if not text or len(text) > MAX_MESSAGE_CHARS:
        raise MessageError(f"text must be 1–{MAX_MESSAGE_CHARS} characters")
    project = find_project(project_id)
    if project is None or project.status == ProjectStatus.DELETED:
        raise MessageError(f"no project {project_id}")
    if item_id is not None and get_item(project_id, item_id) is None:
        raise MessageError(f"no item {item_id} in project {project_id}")
    quiet_ms = get_settings().message_quiet_seconds * 1000
    for _ in range(_POST_ATTEMPTS):  # optimistic: a concurrent post took the number, take the next one
        thread = get_thread(project_id)
        expected = thread.last_seq if thread is not None else 0
        at = now_ms()
        try:
            row = insert_message(
                project_id,
                project.user_id,
                expected,
                at=at,
                sender_role=sender_role,
                author=author,
                text=text,
                item_id=item_id,
                notice_due=at + quiet_ms,
            )
        except ConditionFailed:
            continue
        return _message(row)
    raise ConditionFailed(f"thread of {project_id} too busy")


def unread_count(project_id: str, reader_role: str) -> int:
    """The other side's messages after `reader_role`'s read mark."""
    thread = get_thread(project_id)
    if thread is None:
        return 0
    read = getattr(thread, f"{_role(reader_role)}_read_seq") or 0
    if read >= thread.last_seq:
        return 0
    return count_from(project_id, read, _other(reader_role))


def unread_counts(project_id: str) -> dict[str, int]:
    """{"client": n, "operator": n}: each side's unread messages (written by the other side)."""
    return {role: unread_count(project_id, role) for role in ROLES}


def mark_read(project_id: str, reader_role: str, up_to: int | None = None) -> None:
    """`reader_role` has read the thread up to message `up_to` (default: all of it). Never moves backwards."""
    _role(reader_role)
    thread = get_thread(project_id)
    if thread is None or not thread.last_seq:
        return
    set_read(project_id, reader_role, min(up_to or thread.last_seq, thread.last_seq))


def list_messages(
    project_id: str, since: int | None = None, limit: int = 50, reader_role: str | None = None
) -> MessagePage:
    """Messages after seq `since`, oldest first, at most `limit` (1–100). With `reader_role`, the page counts as
    read by that side, and `unread` is what that side has still not read."""
    if not 1 <= limit <= MAX_PAGE:
        raise MessageError(f"limit must be 1–{MAX_PAGE}")
    rows = page_messages(project_id, max(since or 0, 0), limit + 1)
    more = len(rows) > limit
    messages = [_message(row) for row in rows[:limit]]
    unread = 0
    if reader_role is not None:
        if messages:
            set_read(project_id, _role(reader_role), messages[-1].seq)
        unread = unread_count(project_id, reader_role)
    return MessagePage(messages, messages[-1].seq if more and messages else None, unread)


# ---- the signed client API ---------------------------------------------------------------------------------


def _record(message: Message) -> MessageRecord:
    return MessageRecord(
        seq=message.seq,
        sender=message.sender_role,
        text=message.text,
        item_id=message.item_id,
        created_at=message.at,
    )


def client_post(account: AccountModel, params: PostMessageParams) -> PostMessageData:
    """messages: the client writes to its project's managers. Code 8 for a project that is not the signer's."""
    project = get_live_project(account.user_id, params.project_id)
    try:
        message = post_message(project.project_id, CLIENT, account.user_id, params.text, params.item_id)
    except MessageError as exc:
        raise ApiError(ErrorCode.PARAMETER_INVALID, str(exc)) from exc
    return PostMessageData(project_id=project.project_id, message=_record(message))


def client_list(account: AccountModel, params: ListMessagesParams) -> ListMessagesData:
    """listMessages: the thread, oldest first, after `since`; the page returned counts as read by the client."""
    project = get_live_project(account.user_id, params.project_id)
    try:
        page = list_messages(project.project_id, params.since, params.limit, reader_role=CLIENT)
    except MessageError as exc:
        raise ApiError(ErrorCode.PARAMETER_INVALID, str(exc)) from exc
    return ListMessagesData(
        project_id=project.project_id,
        messages=[_record(message) for message in page.messages],
        next_since=page.next_since,
        unread=page.unread,
    )


# ---- the quiet-period notice -------------------------------------------------------------------------------


def _excerpt(project_id: str, sender_role: str) -> str:
    latest = latest_from(project_id, sender_role)
    return latest.text if latest is not None else ""


def send_quiet_thread_notices(now: int | None = None) -> int:
    """The message notifier: for every thread quiet for the quiet period with messages nobody was mailed about,
    one mail to each side that has some (the client in its language, unless it unsubscribed; the operators'
    mailbox). Returns how many mails were sent. A run repeated at once finds nothing; a message arriving during
    the run restarts that thread's quiet period."""
    now = now_ms() if now is None else now
    sent = 0
    for thread in due_threads(now):
        project = find_project(thread.project_id)
        to_client, to_operators = max(thread.client_unmailed or 0, 0), max(thread.operator_unmailed or 0, 0)
        if project is not None and project.status != ProjectStatus.DELETED:
            about = {"project_name": project.name, "project_id": project.project_id}
            if to_client and notices.send(
                Kind.PM_MESSAGE,
                thread.user_id,
                count=to_client,
                excerpt=_excerpt(project.project_id, OPERATOR),
                sender=OPERATOR,
                **about,
            ):
                sent += 1
            if to_operators:
                notices.send_to(
                    get_settings().operators_email,
                    Kind.PM_MESSAGE,
                    OPERATORS_LANGUAGE,
                    count=to_operators,
                    excerpt=_excerpt(project.project_id, CLIENT),
                    sender=CLIENT,
                    **about,
                )
                sent += 1
        settle_notice(thread, to_client, to_operators)
    return sent
