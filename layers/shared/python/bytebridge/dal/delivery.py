"""Per-project delivery state: the client's callback URL, the batch of items waiting for a "ready for
acceptance" mail, the last status mail sent, and the retention warning/purge marks.

Kept out of ProjectModel on purpose: the engine bumps the project's progress counters item by item, and
delivery bookkeeping must neither contend with those writes nor with the project's VersionAttribute.
"""

from collections.abc import Iterator

from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, table, update, update_if
from bytebridge.settings import get_settings

READY_PENDING = "pending"  # the only value of ready_flag: its presence puts the row in the sparse index


class ReadyIndex(GlobalSecondaryIndex):
    """Projects with items delivered since their last "ready for acceptance" mail (sparse: rows without
    ready_flag are not indexed), so the notifier never scans."""

    class Meta:
        index_name = "ready-pending"
        projection = AllProjection()

    ready_flag = UnicodeAttribute(hash_key=True)
    ready_since = TimestampMs(range_key=True)


class CallbackAttempt(MapAttribute):
    """One delivery attempt of a callback, as listCallbackDeliveries shows it."""

    event_id = UnicodeAttribute()
    event = UnicodeAttribute()
    attempt = IntAttribute()
    status_code = IntAttribute(null=True)  # the endpoint's HTTP status; None if none came back
    error = UnicodeAttribute(null=True)  # why the attempt failed; None when delivered
    at = TimestampMs()
    # What the event was about, so redeliverCallback can queue it again (None in entries logged before it existed).
    occurred_at = TimestampMs(null=True)
    item_id = UnicodeAttribute(null=True)
    old_status = UnicodeAttribute(null=True)
    new_status = UnicodeAttribute(null=True)


class ProjectDeliveryModel(Model):
    class Meta(BaseMeta):
        table_name = table("delivery")

    project_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    callback_url = UnicodeAttribute(null=True)
    callback_set_at = TimestampMs(null=True)
    callback_log = ListAttribute(of=CallbackAttempt, null=True)  # the last attempts (Settings.callback_log_size)
    # The last redeliverCallback: its event and when (the same event asked again soon after is not queued twice).
    redelivered_event = UnicodeAttribute(null=True)
    redelivered_at = TimestampMs(null=True)
    # Items delivered since the last ready mail; the notifier sends one mail for all of them.
    ready_flag = UnicodeAttribute(null=True)
    ready_since = TimestampMs(null=True)
    ready_count = IntAttribute(default=0)
    # A status mail waiting for the notifier, and the last one sent (so a repeated status event mails once).
    pending_status = UnicodeAttribute(null=True)
    mailed_status = UnicodeAttribute(null=True)
    # Random per project: worker pseudonyms are hashes of worker id and salt, unlinkable across projects.
    pseudonym_salt = UnicodeAttribute(null=True)
    # Retention cycle: the anchor is the time the files became due (completion, or the last change of an idle
    # draft); warned_at starts the ≥24 h notice, purged_at ends the cycle. A new anchor starts a new cycle.
    retention_reason = UnicodeAttribute(null=True)
    retention_anchor = TimestampMs(null=True)
    warned_at = TimestampMs(null=True)
    purged_at = TimestampMs(null=True)

    ready_index = ReadyIndex()


def get_delivery(project_id: str) -> ProjectDeliveryModel | None:
    try:
        return ProjectDeliveryModel.get(project_id, consistent_read=True)
    except ProjectDeliveryModel.DoesNotExist:
        return None


D = ProjectDeliveryModel


def set_callback_url(project_id: str, user_id: str, url: str | None, now: int) -> None:
    """Store the project's callback URL (None removes it)."""
    update(
        D(project_id),
        [
            D.user_id.set(user_id),
            D.callback_url.set(url) if url else D.callback_url.remove(),
            D.callback_set_at.set(now),
        ],
    )


def claim_redelivery(row: ProjectDeliveryModel, event_id: str, now: int, window_ms: int) -> bool:
    """Mark `event_id` redelivered now, unless it was within the last `window_ms`; False if it was."""
    fresh = D.redelivered_event.does_not_exist() | (D.redelivered_event != event_id)
    condition = D.project_id.exists() & (fresh | (D.redelivered_at < now - window_ms))
    return update_if(row, [D.redelivered_event.set(event_id), D.redelivered_at.set(now)], condition)


def release_redelivery(row: ProjectDeliveryModel, event_id: str, now: int) -> None:
    """Undo claim_redelivery (the event could not be queued): asking again queues it."""
    mine = (D.redelivered_event == event_id) & (D.redelivered_at == now)
    update_if(row, [D.redelivered_event.remove(), D.redelivered_at.remove()], mine)


def log_callback_attempt(row: ProjectDeliveryModel, entry: CallbackAttempt) -> None:
    """Append one attempt to the project's log (atomically), then drop the oldest beyond the settings' size."""
    if not update_if(row, [D.callback_log.set((D.callback_log | []).append([entry]))], D.project_id.exists()):
        return  # the project's delivery row is gone (purged): nothing to log
    extra = len(row.callback_log or []) - get_settings().callback_log_size  # the row holds the list as stored
    if extra > 0:
        update_if(row, [D.callback_log[index].remove() for index in range(extra)], D.project_id.exists())


def count_ready_item(project_id: str, user_id: str, now: int) -> None:
    """One more delivered item for the next "ready for acceptance" mail; puts the row in the ready index."""
    update(
        D(project_id),
        [
            D.user_id.set(user_id),
            D.ready_count.add(1),
            D.ready_flag.set(READY_PENDING),
            D.ready_since.set(D.ready_since | now),  # the oldest waiting item, kept across increments
        ],
    )


def queue_status_mail(project_id: str, user_id: str, status: str, now: int) -> bool:
    """Queue a status mail (the latest status wins); False if `status` was just mailed and nothing is pending
    (a repeated event)."""
    repeat = (D.mailed_status == status) & D.pending_status.does_not_exist()
    actions = [
        D.user_id.set(user_id),
        D.pending_status.set(status),
        D.ready_flag.set(READY_PENDING),
        D.ready_since.set(D.ready_since | now),
    ]
    return update_if(D(project_id), actions, ~repeat)


def waiting_notices() -> Iterator[ProjectDeliveryModel]:
    """Rows with mails due, from the sparse ready index, each re-read consistently as it is reached (the index
    lags; the row is the truth)."""
    for row in list(D.ready_index.query(READY_PENDING)):
        row.refresh(consistent_read=True)
        yield row


def settle_notices(row: ProjectDeliveryModel, ready: int, status: str | None) -> None:
    """Take what was mailed off the row; keep whatever arrived after it was read for the next run. Every write is
    conditional on the row existing, so a row purged meanwhile is not resurrected."""
    exists = D.project_id.exists()
    if ready:
        update_if(row, [D.ready_count.add(-ready)], exists)
    if status:  # refused: a newer status arrived after our read; the next run mails it
        update_if(row, [D.mailed_status.set(status), D.pending_status.remove()], D.pending_status == status)
    nothing_left = ((D.ready_count == 0) | D.ready_count.does_not_exist()) & D.pending_status.does_not_exist()
    update_if(row, [D.ready_flag.remove(), D.ready_since.remove()], exists & nothing_left)


def claim_salt(project_id: str, user_id: str, salt: str) -> bool:
    """Set the project's pseudonym salt if it has none; False if one was set first."""
    return update_if(
        D(project_id), [D.user_id.set(user_id), D.pseudonym_salt.set(salt)], D.pseudonym_salt.does_not_exist()
    )


def start_retention_cycle(project_id: str, user_id: str, reason: str, anchor: int, now: int) -> bool:
    """Record the retention warning of the cycle `anchor` (warned now, not purged); False if this cycle was
    already started."""
    return update_if(
        D(project_id),
        [
            D.user_id.set(user_id),
            D.retention_reason.set(reason),
            D.retention_anchor.set(anchor),
            D.warned_at.set(now),
            D.purged_at.remove(),
        ],
        D.retention_anchor.does_not_exist() | (D.retention_anchor != anchor),
    )


def undo_retention_warning(project_id: str, warned_at: int) -> bool:
    """Forget the warning recorded at `warned_at` (its mail was not sent); False if another run's warning
    replaced it."""
    return update_if(D(project_id), [D.warned_at.remove(), D.retention_anchor.remove()], D.warned_at == warned_at)


def mark_purged(row: ProjectDeliveryModel, anchor: int, now: int) -> bool:
    """End the retention cycle `anchor`: its files were purged; False if the cycle changed or was ended."""
    same_cycle = (D.retention_anchor == anchor) & D.purged_at.does_not_exist()
    return update_if(row, [D.purged_at.set(now)], same_cycle)
