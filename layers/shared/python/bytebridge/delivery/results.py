"""listResults and retrieveResult: a project's finished items with their consolidated answers, and one item
with the judgments behind its answer (annotators only by per-project pseudonym)."""

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.items import Acceptance, ItemModel
from bytebridge.delivery import cursor
from bytebridge.delivery.pseudonyms import project_salt, pseudonym
from bytebridge.delivery.views import result_record
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.ids import item_id_range
from bytebridge.logic.projects import get_live_project, time_window
from bytebridge.models.results import (
    FINISHED_STATUSES,
    MAX_PAGE,
    JudgmentRecord,
    ListResultsData,
    ListResultsParams,
    RetrieveResultData,
    RetrieveResultParams,
    TimeField,
)

# LastEvaluatedKey names: a table query's are the table keys; an index query's add the index keys.
_TABLE_KEYS = frozenset({"project_id", "item_id"})
_DELIVERED_KEYS = _TABLE_KEYS | {"delivered_at"}


def _choice(value: str | None, allowed, name: str):
    if value is not None and value not in allowed:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"{name} must be one of {', '.join(map(str, allowed))}")
    return value


def list_results(account: AccountModel, params: ListResultsParams) -> ListResultsData:
    project = get_live_project(account.user_id, params.project_id)
    if not 1 <= params.limit <= MAX_PAGE:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"limit must be 1–{MAX_PAGE}")
    status = _choice(params.status, FINISHED_STATUSES, "status")
    acceptance = _choice(params.acceptance, tuple(Acceptance), "acceptance")
    time_field = TimeField(_choice(params.time_field, tuple(TimeField), "timeField"))
    window = time_window(params.start_time, params.end_time)  # 26 if malformed

    filters = []
    if status is not None:
        filters.append(ItemModel.status == status)
    if acceptance is not None:
        filters.append(ItemModel.acceptance == acceptance)
    if time_field is TimeField.DELIVERED:
        key_names, query = _DELIVERED_KEYS, ItemModel.delivered_index.query
        range_condition = ItemModel.delivered_at.between(*window) if window else None
    else:
        key_names, query = _TABLE_KEYS, ItemModel.query
        range_condition = ItemModel.item_id.between(*item_id_range(*window)) if window else None
        if status is None:  # in upload order, unfinished items are skipped
            filters.append(ItemModel.status.is_in(*FINISHED_STATUSES))
    start_key = cursor.decode(params.cursor, time_field.value, key_names, project.project_id)

    condition = None
    for part in filters:
        condition = part if condition is None else condition & part
    results = query(
        project.project_id,
        range_condition,
        filter_condition=condition,
        limit=params.limit,
        page_size=MAX_PAGE,
        last_evaluated_key=start_key,
    )
    items = [result_record(item) for item in results]
    return ListResultsData(
        project_id=project.project_id,
        items=items,
        next_cursor=cursor.encode(time_field.value, results.last_evaluated_key),
    )


def retrieve_result(account: AccountModel, params: RetrieveResultParams) -> RetrieveResultData:
    from bytebridge.dal.judgments import list_judgments

    project = get_live_project(account.user_id, params.project_id)
    try:
        item = ItemModel.get(project.project_id, params.item_id, consistent_read=True)
    except ItemModel.DoesNotExist:
        raise ApiError(
            ErrorCode.QUERY_FAILED, f"item {params.item_id} is not in project {project.project_id}"
        ) from None
    judgments = list_judgments(project.project_id, item.item_id)
    salt = project_salt(project.user_id, project.project_id) if judgments else ""
    return RetrieveResultData(
        **dict(result_record(item)),
        project_id=project.project_id,
        judgments=[
            JudgmentRecord(
                node_id=judgment.node_id,
                worker=pseudonym(salt, judgment.worker_id),
                answer=judgment.answer,
                submitted_at=judgment.submitted_at,
            )
            for judgment in judgments
        ],
    )
