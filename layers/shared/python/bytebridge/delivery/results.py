"""listResults and retrieveResult: a project's finished items with their consolidated answers, and one item
with the judgments behind its answer (annotators only by per-project pseudonym)."""

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.items import get_item, page_results
from bytebridge.dal.judgments import list_judgments
from bytebridge.dal.projects import get_live_project
from bytebridge.delivery import cursor
from bytebridge.delivery.pseudonyms import project_salt, pseudonym
from bytebridge.delivery.views import result_record
from bytebridge.enums import Acceptance
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.ids import item_id_range
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
from bytebridge.models.windows import time_window

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

    statuses: tuple[str, ...] | None = None if status is None else (status,)
    key_range: tuple | None
    by_delivery = time_field is TimeField.DELIVERED
    if by_delivery:
        key_names, key_range = _DELIVERED_KEYS, window
    else:
        key_names, key_range = _TABLE_KEYS, item_id_range(*window) if window else None
        if status is None:  # in upload order, unfinished items are skipped
            statuses = tuple(FINISHED_STATUSES)
    start_key = cursor.decode(params.cursor, time_field.value, key_names, project.project_id)

    rows, last_key = page_results(
        project.project_id,
        by_delivery=by_delivery,
        key_range=key_range,
        statuses=statuses,
        acceptance=acceptance,
        limit=params.limit,
        page_size=MAX_PAGE,
        start_key=start_key,
    )
    return ListResultsData(
        project_id=project.project_id,
        items=[result_record(item) for item in rows],
        next_cursor=cursor.encode(time_field.value, last_key),
    )


def retrieve_result(account: AccountModel, params: RetrieveResultParams) -> RetrieveResultData:
    project = get_live_project(account.user_id, params.project_id)
    item = get_item(project.project_id, params.item_id)
    if item is None:
        raise ApiError(ErrorCode.QUERY_FAILED, f"item {params.item_id} is not in project {project.project_id}")
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
