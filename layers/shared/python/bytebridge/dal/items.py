"""Data items: one uploaded resource each, walked through the project's task flow."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from bytebridge import ids
from bytebridge.clock import now_ms
from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, table, transact, update_if
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.imports import ImportModel
from bytebridge.dal.ledger import RACE_RETRIES, PostingWrite, lost_race
from bytebridge.dal.projects import ProjectModel
from bytebridge.dal.unique_keys import UniqueKeyModel, claim_in, item_link_key, release_in
from bytebridge.enums import Acceptance, ItemStatus


class AcceptanceIndex(GlobalSecondaryIndex):
    """Items by acceptance state, oldest delivery first: the 21-day auto-acceptance queries
    acceptance="pending" with delivered_at older than the window instead of scanning. Sparse: only delivered
    items (with both attributes) are indexed. Keys only: the job re-reads each item before its conditional write."""

    class Meta:
        index_name = "acceptance-delivered"
        projection = KeysOnlyProjection()

    acceptance = UnicodeAttribute(hash_key=True)
    delivered_at = TimestampMs(range_key=True)


class DeliveredIndex(GlobalSecondaryIndex):
    """A project's delivered items in delivery order (sparse on delivered_at): listResults pages "what was
    delivered since T" as a key range instead of filtering the whole project."""

    class Meta:
        index_name = "project-delivered"
        projection = AllProjection()

    project_id = UnicodeAttribute(hash_key=True)
    delivered_at = TimestampMs(range_key=True)


class ItemModel(Model):
    class Meta(BaseMeta):
        table_name = table("items")

    project_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)  # time-ordered, so a query pages in upload order
    user_id = UnicodeAttribute()
    resource_type = UnicodeAttribute()
    url = UnicodeAttribute()
    status = UnicodeAttribute(default=ItemStatus.NOT_STARTED.value)
    created_at = TimestampMs()
    updated_at = TimestampMs()

    # Admission (bytebridge.ingest): where the bytes are read from (a bucket import's id; none: the link itself),
    # and what the check found in them: the real media type, the size when the source told it, an image's
    # width×height as the browser shows it, or why the item was refused.
    origin = UnicodeAttribute(null=True)
    mime = UnicodeAttribute(null=True)
    byte_size = IntAttribute(null=True)
    image_width = IntAttribute(null=True)
    image_height = IntAttribute(null=True)
    # A recording's (audio or video) probed length, and its first audio stream's sample rate and channel count.
    duration_ms = IntAttribute(null=True)
    sample_rate = IntAttribute(null=True)
    channels = IntAttribute(null=True)
    frame_rate = NumberAttribute(null=True)  # a clip's average frames per second (its size: image_width/height)
    # A text's whole content (at most 64 KiB), as labeled: text-entity offsets are exported against it.
    text = UnicodeAttribute(null=True)
    refusal = UnicodeAttribute(null=True)

    # Written by the engine when the item reaches an end node; read by results, acceptance, exports.
    flow_version = IntAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    round = IntAttribute(default=0)  # 0, then +1 per rework after a rejection
    step = IntAttribute(default=0)  # tasks finished this round (progress["step"], as a number to condition on)
    # While processing: {"step", "path", "answers", "traversals", "costCents", "next"} (bytebridge.engine.progress)
    progress = JSONAttribute(null=True)
    failure = UnicodeAttribute(null=True)  # why a failed item could not be labeled
    # {"endNode": id, "path": [node ids], "answers": {node_id: answer (bytebridge.annotations form)}}
    result = JSONAttribute(null=True)
    delivered_at = TimestampMs(null=True)  # starts the 21-day acceptance window
    acceptance = UnicodeAttribute(null=True)
    acceptance_comment = UnicodeAttribute(null=True)
    accepted_at = TimestampMs(null=True)
    rework_count = IntAttribute(default=0)
    cost_cents = IntAttribute(default=0)  # sum of unit prices of the tasks this item went through
    charged_path = JSONAttribute(null=True)  # the nodes of the billed round (invoice lines; rework rewrites result)
    # The trial round that sampled this item (labeled free of charge while the project is in trial), if any.
    trial_round = IntAttribute(null=True)
    trial_cost_cents = IntAttribute(null=True)  # what its trial labeling would have cost (not charged)
    trial_issue = UnicodeAttribute(null=True)  # the client's comment on its trial result (trialIssues)
    # The round whose labeling is billed (0; a new trial round restarts the item one round later): rounds
    # after it are rework, free.
    charge_round = IntAttribute(null=True)

    acceptance_index = AcceptanceIndex()
    delivered_index = DeliveredIndex()


def waiting_to_launch(project_id: str, trial_round: int | None = None) -> Iterator[ItemModel]:
    """The project's not-started items (with `trial_round`: only those sampled into that trial round), in upload
    order, read lazily (keys and round only: enough to launch)."""
    condition = ItemModel.status == ItemStatus.NOT_STARTED.value
    if trial_round is not None:
        condition = condition & (ItemModel.trial_round == trial_round)
    return ItemModel.query(project_id, filter_condition=condition, attributes_to_get=["project_id", "item_id", "round"])


# An item's way through its flow (bytebridge.engine.progress decides when): every change of its status is one
# transaction with the project counter deltas it implies, conditional on the status it leaves, so a retried
# call or a redelivered message never counts an item twice. Each returns False if that condition did not hold.


def _transition(
    item: ItemModel,
    actions: list,
    condition: Any,
    user_id: str,
    project_actions: list,
    posting: PostingWrite | None = None,
) -> bool:
    """One item change plus the project's counter deltas (and a ledger posting, if any); False if a condition no
    longer holds (the item's, or the posting's: see mark_finished)."""
    project = ProjectModel(user_id, item.project_id)
    try:
        with transact() as tx:
            # Copies: pynamodb appends the project's version increment to the list it is given (a retry re-sends it).
            tx.update(item, actions=list(actions), condition=condition)
            tx.update(project, actions=list(project_actions), add_version_condition=False)
            if posting is not None:
                posting.write_in(tx)
    except ConditionFailed:
        return False
    return True


def _processing(round_: int) -> Any:
    return (ItemModel.status == ItemStatus.PROCESSING.value) & (ItemModel.round == round_)


def begin_processing(
    item: ItemModel, user_id: str, flow_version: int, execution_arn: str, progress: dict, *, rework: bool
) -> bool:
    """notStarted → processing (notStarted −1, processing +1); rework: a rejected completed item → processing one
    round later (completed −1, success −1, processing +1). `progress`: the stored progress to start from."""
    I, P = ItemModel, ProjectModel  # noqa: E741
    now = now_ms()
    actions = [
        I.status.set(ItemStatus.PROCESSING.value),
        I.flow_version.set(flow_version),
        I.execution_arn.set(execution_arn),
        I.progress.set(progress),
        I.step.set(0),
        I.updated_at.set(now),
    ]
    if rework:
        condition = (
            (I.status == ItemStatus.COMPLETED.value)
            & (I.acceptance == Acceptance.REJECTED.value)
            & (I.round == item.round)
        )
        actions.append(I.round.set(item.round + 1))
        deltas = [P.completed_count.add(-1), P.success_count.add(-1), P.processing_count.add(1)]
    else:
        condition = I.status == ItemStatus.NOT_STARTED.value
        deltas = [P.not_started_count.add(-1), P.processing_count.add(1)]
    return _transition(item, actions, condition, user_id, [*deltas, P.updated_at.set(now)])


def undo_begin_processing(item: ItemModel, user_id: str, *, rework: bool) -> bool:
    """Take back a begin_processing (its execution could not be started): processing → notStarted, or back to
    completed at `item.round` for rework, with the reverse counter deltas."""
    I, P = ItemModel, ProjectModel  # noqa: E741
    actions = [I.execution_arn.remove(), I.progress.remove(), I.updated_at.set(now_ms())]
    if rework:
        actions += [I.status.set(ItemStatus.COMPLETED.value), I.round.set(item.round)]
        deltas = [P.completed_count.add(1), P.success_count.add(1), P.processing_count.add(-1)]
    else:
        actions.append(I.status.set(ItemStatus.NOT_STARTED.value))
        deltas = [P.not_started_count.add(1), P.processing_count.add(-1)]
    return _transition(item, actions, I.status == ItemStatus.PROCESSING.value, user_id, deltas)


def record_progress(
    item: ItemModel, round_: int, from_step: int, progress: dict, step: int, *, expected: dict | None = None
) -> bool:
    """Store the progress of a finished task, if the item is still processing `round_` at `from_step` (and, with
    `expected`, its stored progress is still exactly that: an optimistic lock for concurrent writers)."""
    I = ItemModel  # noqa: E741
    condition = _processing(round_) & (I.step == from_step)
    if expected is not None:
        condition &= I.progress == expected
    actions = [I.progress.set(progress), I.step.set(step), I.updated_at.set(now_ms())]
    return update_if(item, actions, condition)


def mark_finished(
    item: ItemModel,
    user_id: str,
    round_: int,
    result: dict,
    cost_cents: int,
    charge: Callable[[], PostingWrite | None] | None = None,
) -> bool:
    """processing → completed: the result is written and delivered (the 21-day acceptance window starts).
    processing −1, completed +1, success +1, output +1 (first delivery), amountSpent + cost (round 0 only:
    rework is free). `charge` (bytebridge.billing.ledger.usage_charge) plans the usage debit of a billed, non-trial
    finish against the current balance: it is written in the same transaction, so an item cannot finish without
    its charge nor be charged twice; a plan that lost a race with another posting is planned again."""
    I, P = ItemModel, ProjectModel  # noqa: E741
    now = now_ms()
    first_delivery = item.delivered_at is None
    actions = [
        I.status.set(ItemStatus.COMPLETED.value),
        I.result.set(result),
        I.delivered_at.set(now),
        I.acceptance.set(Acceptance.PENDING.value),
        I.accepted_at.remove(),
        I.progress.remove(),
        I.updated_at.set(now),
    ]
    deltas = [P.processing_count.add(-1), P.completed_count.add(1), P.success_count.add(1), P.updated_at.set(now)]
    if first_delivery:
        deltas.append(P.output_count.add(1))
    trial = item.trial_round is not None
    if round_ == (item.charge_round or 0):  # the billed round; later ones are rework
        if trial:  # labeled in a trial: recorded, never charged
            actions.append(I.trial_cost_cents.set(cost_cents))
            deltas.append(P.trial_cost_cents.add(cost_cents))
        else:
            actions += [I.cost_cents.set(cost_cents), I.charged_path.set(result["path"])]
            deltas.append(P.amount_spent_cents.add(cost_cents))
    if trial and first_delivery:
        deltas.append(P.trial_finished.add(1))
    if charge is None or trial or round_ != (item.charge_round or 0):
        return _transition(item, actions, _processing(round_), user_id, deltas)
    for _ in range(RACE_RETRIES):
        posting = charge()
        try:
            if _transition(item, actions, _processing(round_), user_id, deltas, posting):
                return True
        except TransactWriteError as exc:
            if not lost_race(exc):
                raise
        if posting is None or not _still_processing(item, round_):
            return False
        # another posting moved the balance: plan again
    raise ConditionFailed(f"the ledger kept changing while item {item.item_id} finished")


def _still_processing(item: ItemModel, round_: int) -> bool:
    now = get_or_none(ItemModel, item.project_id, item.item_id, attributes_to_get=["status", "round"])
    return now is not None and now.status == ItemStatus.PROCESSING.value and now.round == round_


def mark_failed(item: ItemModel, user_id: str, round_: int, why: str) -> bool:
    """processing → failed (nothing is charged): processing −1, completed +1, failed +1."""
    I, P = ItemModel, ProjectModel  # noqa: E741
    now = now_ms()
    actions = [
        I.status.set(ItemStatus.FAILED.value),
        I.failure.set(why[:500]),
        I.progress.remove(),
        I.updated_at.set(now),
    ]
    deltas = [P.processing_count.add(-1), P.completed_count.add(1), P.failed_count.add(1), P.updated_at.set(now)]
    if item.trial_round is not None and item.delivered_at is None:
        deltas.append(P.trial_finished.add(1))
    return _transition(item, actions, _processing(round_), user_id, deltas)


# ---- the project lifecycle's item writes (trial sampling, trial issues, relabel, ending early) -------------


def all_item_keys(project_id: str) -> list[ItemModel]:
    """Every item of the project: ids, status and trial round only (consistent read)."""
    return list(
        ItemModel.query(
            project_id, consistent_read=True, attributes_to_get=["project_id", "item_id", "status", "trial_round"]
        )
    )


def trial_items(project_id: str, trial_round: int) -> list[ItemModel]:
    """The items sampled into `trial_round` (consistent read)."""
    return list(
        ItemModel.query(project_id, filter_condition=ItemModel.trial_round == trial_round, consistent_read=True)
    )


def mark_trial(project_id: str, item_id: str, trial_round: int) -> bool:
    """Sample a not-started item into `trial_round`; False if it is no longer not started."""
    I = ItemModel  # noqa: E741
    return update_if(I(project_id, item_id), [I.trial_round.set(trial_round)], I.status == ItemStatus.NOT_STARTED.value)


def reset_trial_item(item: ItemModel, user_id: str) -> bool:
    """A finished (or never launched) item of an earlier trial back to not started, out of the trial, its old
    result dropped, one round later (a new execution name; that round is the billed one), with the counter
    deltas. False if the item changed since it was read."""
    I, P = ItemModel, ProjectModel  # noqa: E741
    now = now_ms()
    status = ItemStatus(item.status)
    if status is ItemStatus.PROCESSING:
        return False  # in flight: the caller's project is not in a state that resets its trial
    actions = [I.trial_round.remove(), I.trial_issue.remove(), I.updated_at.set(now)]
    deltas: list = [P.updated_at.set(now)]
    if status is not ItemStatus.NOT_STARTED:
        next_round = item.round + 1
        actions += [
            I.status.set(ItemStatus.NOT_STARTED.value),
            I.round.set(next_round),
            I.charge_round.set(next_round),
            I.step.set(0),
            I.result.remove(),
            I.failure.remove(),
            I.delivered_at.remove(),
            I.acceptance.remove(),
            I.acceptance_comment.remove(),
            I.accepted_at.remove(),
            I.execution_arn.remove(),
            I.progress.remove(),
            I.trial_cost_cents.remove(),
        ]
        deltas += [P.completed_count.add(-1), P.not_started_count.add(1)]
        deltas.append(P.success_count.add(-1) if status is ItemStatus.COMPLETED else P.failed_count.add(-1))
        if item.delivered_at is not None:
            deltas.append(P.output_count.add(-1))
    elif item.trial_round is None:
        return True
    condition = (I.status == status.value) & (I.round == item.round)
    return _transition(item, actions, condition, user_id, deltas)


def set_trial_issue(project_id: str, item_id: str, trial_round: int, comment: str | None) -> bool:
    """Store (or, None, clear) the client's comment on a trial item; False if the item is not in that round."""
    I = ItemModel  # noqa: E741
    action = I.trial_issue.set(comment) if comment else I.trial_issue.remove()
    return update_if(I(project_id, item_id), [action], I.trial_round == trial_round)


def mark_for_relabel(item: ItemModel, now: int) -> bool:
    """An operator sends a completed item back for free rework (as a client rejection would); False if it is
    not completed or changed since."""
    I = ItemModel  # noqa: E741
    actions = [I.acceptance.set(Acceptance.REJECTED.value), I.rework_count.add(1), I.updated_at.set(now)]
    condition = (I.status == ItemStatus.COMPLETED.value) & (I.round == item.round)
    return update_if(item, actions, condition)


def withdraw_processing(item: ItemModel, user_id: str) -> bool:
    """An in-flight item of a project ended early: back to not started (nothing charged), or, for rework of a
    delivered item, back to completed with its delivered result. False if it is no longer in that round."""
    I, P = ItemModel, ProjectModel  # noqa: E741
    now = now_ms()
    actions = [I.execution_arn.remove(), I.progress.remove(), I.step.set(0), I.updated_at.set(now)]
    if item.delivered_at is not None and item.result is not None:
        actions.append(I.status.set(ItemStatus.COMPLETED.value))
        deltas = [P.completed_count.add(1), P.success_count.add(1), P.processing_count.add(-1)]
    else:
        actions.append(I.status.set(ItemStatus.NOT_STARTED.value))
        deltas = [P.not_started_count.add(1), P.processing_count.add(-1)]
    return _transition(item, actions, _processing(item.round), user_id, [*deltas, P.updated_at.set(now)])


def processing_items(project_id: str) -> list[ItemModel]:
    """The project's items in flight (consistent read)."""
    condition = ItemModel.status == ItemStatus.PROCESSING.value
    return list(ItemModel.query(project_id, filter_condition=condition, consistent_read=True))


def sample_items(project_id: str, count: int) -> list[ItemModel]:
    """Up to `count` of the project's items (upload order, keys only; refused files are not items): the review's
    sample."""
    usable = ItemModel.status != ItemStatus.REFUSED.value
    attributes = ["project_id", "item_id", "url"]
    return list(ItemModel.query(project_id, filter_condition=usable, limit=count, attributes_to_get=attributes))


def get_item(project_id: str, item_id: str) -> ItemModel | None:
    """One item, read consistently, or None."""
    return get_or_none(ItemModel, project_id, item_id)


def get_items(project_id: str, item_ids: list[str]) -> list[ItemModel]:
    """The project's items with these ids that exist (consistent batch read; order not kept)."""
    return list(ItemModel.batch_get([(project_id, item_id) for item_id in item_ids], consistent_read=True))


def _same_pending_delivery(delivered_at: int | None):
    return (ItemModel.acceptance == Acceptance.PENDING) & (ItemModel.delivered_at == delivered_at)


def _comment_action(comment: str):
    return ItemModel.acceptance_comment.set(comment) if comment else ItemModel.acceptance_comment.remove()


def accept_delivery(item: ItemModel, comment: str, now: int) -> bool:
    """The client accepts the delivery read in `item`; False if the item changed since (no longer pending, or
    delivered again)."""
    actions = [ItemModel.acceptance.set(Acceptance.ACCEPTED.value), ItemModel.accepted_at.set(now)]
    return update_if(item, [*actions, _comment_action(comment)], _same_pending_delivery(item.delivered_at))


def reject_delivery(item: ItemModel, comment: str, now: int, delivered_since: int) -> bool:
    """The client rejects the delivery read in `item` (one more rework); False if the item changed since, or
    was delivered before `delivered_since` (the free rework window closed)."""
    actions = [
        ItemModel.acceptance.set(Acceptance.REJECTED.value),
        _comment_action(comment),
        ItemModel.rework_count.add(1),
        ItemModel.updated_at.set(now),
    ]
    condition = _same_pending_delivery(item.delivered_at) & (ItemModel.delivered_at >= delivered_since)
    return update_if(item, actions, condition)


def reopen_rejected(project_id: str, item_id: str) -> bool:
    """Undo a rejection (back to pending, one rework fewer); False if the item is not rejected."""
    reopen = [ItemModel.acceptance.set(Acceptance.PENDING.value), ItemModel.rework_count.add(-1)]
    return update_if(ItemModel(project_id, item_id), reopen, ItemModel.acceptance == Acceptance.REJECTED)


class Delivery(NamedTuple):
    """Which item was delivered when."""

    project_id: str
    item_id: str
    delivered_at: int


def pending_delivered_before(cutoff: int) -> Iterator[Delivery]:
    """Items still pending acceptance that were delivered before `cutoff`, oldest first, read lazily from the
    sparse acceptance index (eventually consistent: re-check with a conditional write)."""
    for hit in ItemModel.acceptance_index.query(Acceptance.PENDING.value, ItemModel.delivered_at < cutoff):
        assert hit.delivered_at is not None  # the index's range key: every row in it has one
        yield Delivery(hit.project_id, hit.item_id, hit.delivered_at)


def auto_accept_delivery(project_id: str, item_id: str, delivered_at: int, now: int) -> bool:
    """Accept automatically the delivery made at `delivered_at`; False if the item changed since."""
    accept_actions = [ItemModel.acceptance.set(Acceptance.AUTO_ACCEPTED.value), ItemModel.accepted_at.set(now)]
    return update_if(ItemModel(project_id, item_id), accept_actions, _same_pending_delivery(delivered_at))


def page_results(
    project_id: str,
    *,
    by_delivery: bool,
    key_range: tuple | None,
    statuses: tuple[str, ...] | None,
    acceptance: str | None,
    limit: int,
    page_size: int,
    start_key: dict | None,
) -> tuple[list[ItemModel], dict | None]:
    """One page of the project's items and the LastEvaluatedKey after it. by_delivery: in delivery order from
    the delivered index, `key_range` bounding delivered_at; else in upload order, `key_range` bounding item_id.
    Filtered on status (one of `statuses`) and acceptance when given."""
    filters = []
    if statuses is not None:
        filters.append(ItemModel.status == statuses[0] if len(statuses) == 1 else ItemModel.status.is_in(*statuses))
    if acceptance is not None:
        filters.append(ItemModel.acceptance == acceptance)
    condition = None
    for part in filters:
        condition = part if condition is None else condition & part
    options: dict[str, Any] = {
        "filter_condition": condition,
        "limit": limit,
        "page_size": page_size,
        "last_evaluated_key": start_key,
    }
    if by_delivery:
        in_range = ItemModel.delivered_at.between(*key_range) if key_range else None
        results = ItemModel.delivered_index.query(project_id, in_range, **options)
    else:
        in_range = ItemModel.item_id.between(*key_range) if key_range else None
        results = ItemModel.query(project_id, in_range, **options)
    items = list(results)
    return items, results.last_evaluated_key


def completed_with_result(project_id: str, attributes: list[str], page_size: int) -> Iterator[ItemModel]:
    """The project's completed items that have a result, in upload order, read lazily `page_size` at a time;
    only `attributes` are read."""
    return ItemModel.query(
        project_id,
        filter_condition=(ItemModel.status == ItemStatus.COMPLETED.value) & ItemModel.result.exists(),
        attributes_to_get=attributes,
        page_size=page_size,
    )


def unstarted(project_id: str) -> list[ItemModel]:
    """The project's items no one has started (consistent read)."""
    unstarted_filter = ItemModel.status == ItemStatus.NOT_STARTED.value
    return list(ItemModel.query(project_id, filter_condition=unstarted_filter, consistent_read=True))


def delete_rows(items: list[ItemModel]) -> None:
    """Delete these items and their link claims, so the links can be submitted again (batched, unconditional)."""
    with ItemModel.batch_write() as batch:
        for item in items:
            batch.delete(item)
    with UniqueKeyModel.batch_write() as claims:
        for item in items:
            claims.delete(UniqueKeyModel(item_link_key(item.project_id, item.url)))


def item_ids(project_id: str) -> list[str]:
    """The ids of every item of the project."""
    return [item.item_id for item in ItemModel.query(project_id, attributes_to_get=["item_id"])]


def uploaded_between(project_id: str, start_ms: int, end_ms: int, attributes: list[str]) -> Iterator[ItemModel]:
    """The project's items uploaded in [start_ms, end_ms] (a key range: item ids sort by time), consistent
    read; only `attributes` are read."""
    low, high = ids.item_id_range(start_ms, end_ms)
    return ItemModel.query(
        project_id, ItemModel.item_id.between(low, high), consistent_read=True, attributes_to_get=attributes
    )


# One transaction holds up to 100 writes: per link the item and its claim, plus the project's counters once.
_LINKS_PER_WRITE = 49
_RACE_RETRIES = 5


def _claimed(project_id: str, urls: list[str]) -> set[str]:
    """Which of `urls` already have an item in the project (their claims, read strongly)."""
    by_key = {item_link_key(project_id, url): url for url in urls}
    claims = UniqueKeyModel.batch_get(list(by_key), consistent_read=True, attributes_to_get=["key"])
    return {by_key[claim.key] for claim in claims}


def _new_item(
    project_id: str, user_id: str, resource_type: str, item_id: str, url: str, now: int, origin: str | None
) -> ItemModel:
    return ItemModel(
        project_id,
        item_id,
        user_id=user_id,
        resource_type=resource_type,
        url=url,
        origin=origin,
        status=ItemStatus.CHECKING.value,
        created_at=now,
        updated_at=now,
    )


def _write_claimed(project: ProjectModel, items: list[ItemModel], statuses: list[str], now: int) -> None:
    """One transaction: the items (checking), their link claims (refused if a link is already in the project) and
    the project's counters (refused unless it is in `statuses`). Items count as items once their check passed."""
    P = ProjectModel
    count = len(items)
    with transact() as tx:
        for item in items:
            tx.save(item, condition=ItemModel.item_id.does_not_exist())
            claim_in(tx, item_link_key(item.project_id, item.url), item.item_id)
        tx.update(
            ProjectModel(project.user_id, project.project_id),
            actions=[
                P.checking_count.add(count),
                P.resources_submitted.add(count),
                P.updated_at.set(now),
            ],
            condition=P.status.is_in(*statuses),
            add_version_condition=False,
        )


def _take_back(project: ProjectModel, items: list[ItemModel]) -> None:
    """Undo _write_claimed of `items` (their counters too, if the project is still there)."""
    P = ProjectModel
    for start in range(0, len(items), _LINKS_PER_WRITE):
        chunk = items[start : start + _LINKS_PER_WRITE]
        count = len(chunk)
        for with_counters in (True, False):
            try:
                with transact() as tx:
                    for item in chunk:
                        tx.delete(item)
                        release_in(tx, item_link_key(item.project_id, item.url), item.item_id)
                    if with_counters:
                        tx.update(
                            ProjectModel(project.user_id, project.project_id),
                            actions=[P.checking_count.add(-count), P.resources_submitted.add(-count)],
                            condition=P.project_id.exists(),
                            add_version_condition=False,
                        )
            except ConditionFailed:
                continue
            break


def add_resources(
    project: ProjectModel,
    resource_type: str,
    entries: list[tuple[str, str]],
    now: int,
    statuses: Iterable[str],
    origin: str | None = None,
) -> list[ItemModel] | None:
    """New items to check (bytebridge.ingest), one per (item_id, url) of `entries` whose link is not in the project
    yet, each written with its link's claim and counted on the project in the same transaction: two calls with the
    same links (a retry, or a race) add and count each link once. The items added; None if the project is not in
    one of `statuses` (any items of this call are taken back)."""
    allowed = list(statuses)
    added: list[ItemModel] = []
    try:
        claimed = _claimed(project.project_id, [url for _, url in entries])
        pending = [(item_id, url) for item_id, url in entries if url not in claimed]
        for start in range(0, len(pending), _LINKS_PER_WRITE):
            chunk = pending[start : start + _LINKS_PER_WRITE]
            for _ in range(_RACE_RETRIES):
                if not chunk:
                    break
                items = [
                    _new_item(project.project_id, project.user_id, resource_type, i, u, now, origin) for i, u in chunk
                ]
                try:
                    _write_claimed(project, items, allowed, now)
                except ConditionFailed:
                    current = get_or_none(
                        ProjectModel, project.user_id, project.project_id, attributes_to_get=["status"]
                    )
                    if current is None or current.status not in allowed:
                        _take_back(project, added)
                        return None
                    claimed = _claimed(project.project_id, [url for _, url in chunk])  # another call took some
                    chunk = [(item_id, url) for item_id, url in chunk if url not in claimed]
                    continue
                added += items
                break
            else:
                raise ConditionFailed("links kept being claimed by another call")
    except Exception:
        _take_back(project, added)
        raise
    return added


def item_source(project_id: str, item_id: str) -> tuple[str, str | None] | None:
    """Where the item's data is and the bucket import it is read through (None: the link itself), read strongly;
    None if the item does not exist."""
    item = get_or_none(ItemModel, project_id, item_id, attributes_to_get=["url", "origin"])
    return (item.url, item.origin) if item else None


def item_url(project_id: str, item_id: str) -> str | None:
    """Where the item's data is (read strongly, that attribute only); None if the item does not exist."""
    item = get_or_none(ItemModel, project_id, item_id, attributes_to_get=["url"])
    return item.url if item else None


# ---- admission checks (bytebridge.ingest) ------------------------------------------------------------------


class CheckOutcome(NamedTuple):
    """What the check of one item found: its media facts, or why it is refused (`refusal` set)."""

    item_id: str
    mime: str | None
    byte_size: int | None
    image_width: int | None
    image_height: int | None
    refusal: str | None
    duration_ms: int | None = None  # audio and video (bytebridge.avprobe)
    sample_rate: int | None = None
    channels: int | None = None
    text: str | None = None  # a text item's whole text, when short enough to keep (bytebridge.ingest.check)
    frame_rate: float | None = None  # video


def items_to_check(project_id: str, item_ids: list[str]) -> list[ItemModel]:
    """Those of the items that are still waiting for their check (consistent batch read)."""
    return [item for item in get_items(project_id, item_ids) if item.status == ItemStatus.CHECKING.value]


def _checked(item: ItemModel, outcome: CheckOutcome, now: int) -> ItemModel:
    """The item as its check leaves it (written whole: far cheaper than an update in the local emulator)."""
    checked = item
    checked.updated_at = now
    checked.mime, checked.byte_size = outcome.mime, outcome.byte_size
    checked.image_width, checked.image_height = outcome.image_width, outcome.image_height
    checked.duration_ms = outcome.duration_ms
    checked.sample_rate, checked.channels = outcome.sample_rate, outcome.channels
    checked.frame_rate = outcome.frame_rate
    checked.text = outcome.text
    if outcome.refusal is None:
        checked.status = ItemStatus.NOT_STARTED.value
    else:
        checked.status, checked.refusal = ItemStatus.REFUSED.value, outcome.refusal[:500]
    return checked


def _record_checked(user_id: str, checked: list[tuple[ItemModel, CheckOutcome]], now: int) -> None:
    """One transaction: each item out of checking (ready: not started; or refused), the project's counters with
    it. ConditionFailed if an item was no longer checking (another run recorded it) or the project is gone."""
    P = ProjectModel
    ready = sum(1 for _, outcome in checked if outcome.refusal is None)
    refused = len(checked) - ready
    deltas: list = [P.checking_count.add(-len(checked)), P.updated_at.set(now)]
    if ready:
        deltas += [P.item_count.add(ready), P.not_started_count.add(ready)]
    if refused:
        deltas.append(P.refused_count.add(refused))
    by_origin: dict[str, list[int]] = {}  # bucket import → [checked, refused]
    for item, outcome in checked:
        if item.origin is not None:
            counts = by_origin.setdefault(item.origin, [0, 0])
            counts[0] += 1
            counts[1] += outcome.refusal is not None
    with transact() as tx:
        for item, outcome in checked:
            tx.save(_checked(item, outcome, now), condition=ItemModel.status == ItemStatus.CHECKING.value)
        project = ProjectModel(user_id, checked[0][0].project_id)
        tx.update(project, actions=deltas, condition=P.project_id.exists(), add_version_condition=False)
        for origin, (done, refused_here) in by_origin.items():
            I = ImportModel  # noqa: E741
            actions: list = [I.checked.add(done), I.check_refused.add(refused_here), I.updated_at.set(now)]
            tx.update(ImportModel(origin), actions=actions, condition=I.import_id.exists())


def record_checks(user_id: str, checked: list[tuple[ItemModel, CheckOutcome]]) -> int:
    """Record each item's outcome (`item` as read by items_to_check), counted on the project in the same
    transaction (items recorded meanwhile by another run are left as they are). Returns how many were recorded."""
    now = now_ms()
    recorded = 0
    for start in range(0, len(checked), _LINKS_PER_WRITE):
        chunk = checked[start : start + _LINKS_PER_WRITE]
        try:
            _record_checked(user_id, chunk, now)
            recorded += len(chunk)
            continue
        except ConditionFailed:
            pass
        for pair in chunk:  # one of them was recorded by a redelivered request: the rest one by one
            try:
                _record_checked(user_id, [pair], now)
                recorded += 1
            except ConditionFailed:
                continue
    return recorded


def refused_page(project_id: str, limit: int, start_key: dict | None) -> tuple[list[ItemModel], dict | None]:
    """One page of the project's refused items (upload order) and the LastEvaluatedKey after it."""
    results = ItemModel.query(
        project_id,
        filter_condition=ItemModel.status == ItemStatus.REFUSED.value,
        attributes_to_get=["project_id", "item_id", "url", "refusal", "mime", "created_at"],
        limit=limit,
        last_evaluated_key=start_key,
    )
    items = list(results)
    return items, results.last_evaluated_key
