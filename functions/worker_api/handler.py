"""The worker API (annotators): claim work, heartbeat, submit, release, and the data link of a claimed task.
Thin: authenticate the bearer token, parse, call bytebridge.workers, map WorkerError to its HTTP status."""

from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from bytebridge.body import BodyTooLarge, UnreadableBody, as_json_request, first_problem, screen
from bytebridge.clock import now_ms
from bytebridge.consensus.skills import update_skill
from bytebridge.dal.workers import WorkerModel, get_worker
from bytebridge.models.worker_api import (
    AssignmentView,
    ClaimRequest,
    ClaimResponse,
    HeartbeatResponse,
    ReleaseRequest,
    ReleaseResponse,
    SubmitRequest,
    SubmitResponse,
    WorkerErrorBody,
    WorkerErrorResponse,
    WorkerProfile,
)
from bytebridge.observability import logger, metrics, tracer
from bytebridge.workers import claim as claiming
from bytebridge.workers import work
from bytebridge.workers.errors import WorkerError, WorkerErrorCode
from bytebridge.workers.gold import settled_record
from bytebridge.workers.tokens import authenticate

PREFIX = "/worker/v1"
MAX_BODY_BYTES = 256 * 1024  # an answer with a thousand boxes is about 100 kB
app = APIGatewayRestResolver(enable_validation=True)


def _error(error: WorkerError) -> Response:
    body = WorkerErrorResponse(error=WorkerErrorBody(code=error.code.value, message=error.message))
    return Response(status_code=error.status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())


@app.exception_handler(WorkerError)
def handle_worker_error(error: WorkerError) -> Response:
    logger.info("worker api error", extra={"code": error.code.value, "detail": error.message})
    return _error(error)


@app.exception_handler(RequestValidationError)
def handle_invalid_body(error: RequestValidationError) -> Response:
    try:
        _worker()  # callers without a valid token learn nothing about the body
    except WorkerError as unauthorized:
        return _error(unauthorized)
    return _error(WorkerError(WorkerErrorCode.INVALID_REQUEST, first_problem(list(error.errors()))))


def _worker() -> WorkerModel:
    return authenticate(
        app.current_event.headers.get("Authorization") or app.current_event.headers.get("authorization")
    )


def _base_url() -> str:
    """This API's public base (scheme, host and stage prefix as the caller used them)."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    scheme = headers.get("x-forwarded-proto", "http")
    stage_prefix = event.request_context.path[: -len(event.path)] if event.request_context.path else ""
    return f"{scheme}://{headers.get('host', 'localhost')}{stage_prefix}"


@app.post(f"{PREFIX}/assignments/claim")
def claim_assignment(request: ClaimRequest) -> ClaimResponse:
    return _claim(_worker(), request)


def _claim(worker: WorkerModel, request: ClaimRequest) -> ClaimResponse:
    claimed = claiming.claim(worker, request.families, request.wait_seconds)
    if claimed is None:
        return ClaimResponse(assignment=None)
    node = claimed.node
    data_url = f"{_base_url()}{PREFIX}/assignments/{claimed.assignment_id}/data?token={quote(claimed.data_token)}"
    return ClaimResponse(
        assignment=AssignmentView(
            assignment_id=claimed.assignment_id,
            family=claimed.family,
            task_type=node.task_type.value,
            instruction=node.instruction,
            question=node.question,
            options=list(node.options),
            labels=list(node.labels),
            skeleton=node.skeleton,
            overlapping_spans=bool(node.overlapping_spans),
            sample_every=node.sample_every,
            resource_type=claimed.resource_type,
            data_url=data_url,
            data_location=work.direct_location(*claimed.source),
            lease_expires_at=claimed.lease_until,
            rework_comment=claimed.rework_comment,
        )
    )


@app.post(f"{PREFIX}/assignments/<assignment_id>/heartbeat")
def heartbeat(assignment_id: str) -> HeartbeatResponse:
    until = work.heartbeat(_worker(), assignment_id)
    return HeartbeatResponse(assignment_id=assignment_id, lease_expires_at=until)


@app.post(f"{PREFIX}/assignments/<assignment_id>/submit")
def submit(assignment_id: str, request: SubmitRequest):  # a Response (SubmitResponse's set fields): no annotation
    worker = _worker()
    duplicate = work.submit(worker, assignment_id, request.answer)
    if request.next is None:  # the answer as before `next` existed: no `next` key
        return _json(SubmitResponse(assignment_id=assignment_id, status="submitted", duplicate=duplicate))
    # Read again: a gold answer moved the annotator's record (qualification, or blocked), which claims go by.
    current = get_worker(worker.worker_id) or worker
    try:
        following = _claim(current, request.next)
    except WorkerError as error:  # the answer is stored: say so; a separate claim call reports the refusal
        logger.info("next claim refused", extra={"code": error.code.value, "detail": error.message})
        following = ClaimResponse(assignment=None)
    return _json(SubmitResponse(assignment_id=assignment_id, status="submitted", duplicate=duplicate, next=following))


def _json(model: SubmitResponse) -> Response:
    """The model's fields that were set (an optional part left out when it was not asked for)."""
    body = model.model_dump_json(by_alias=True, exclude_unset=True)
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body)


@app.post(f"{PREFIX}/assignments/<assignment_id>/release")
def release(assignment_id: str, request: ReleaseRequest) -> ReleaseResponse:
    status = work.release(_worker(), assignment_id, request.skip)
    return ReleaseResponse(assignment_id=assignment_id, status=status)


@app.get(f"{PREFIX}/assignments/<assignment_id>/data")
def data(assignment_id: str):  # a redirect, not a model: no return annotation for the validator
    location = work.data_location(assignment_id, app.current_event.get_query_string_value("token", ""))
    return Response(status_code=302, headers={"Location": location, "Cache-Control": "no-store"}, body="")


@app.get(f"{PREFIX}/me")
def profile() -> WorkerProfile:
    worker = _worker()
    record = settled_record(worker, now_ms())  # never the live gold record: it would tell which task was gold
    return WorkerProfile(
        worker_id=worker.worker_id,
        name=worker.name,
        status=worker.status,
        gold_answered=record.answered,
        gold_correct=record.correct,
        estimated_accuracy=round(update_skill(record.correct, record.answered), 4),
        submitted=record.submitted,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    if event.get("httpMethod") == "POST":
        event = as_json_request(event)  # the API speaks JSON only (curl -d); no body: every field takes its default
        if (refusal := _refuse_unreadable_body(event)) is not None:
            return refusal
    return app.resolve(event, context)


def _refuse_unreadable_body(event: dict) -> dict | None:
    """The error object for a body no route may see (over the cap: 413; not UTF-8 or nested too deep: 422),
    answered before routing; callers without a valid token get 401 and learn nothing about the body."""
    try:
        screen(event, MAX_BODY_BYTES)
        return None
    except BodyTooLarge as exc:
        error = WorkerError(WorkerErrorCode.BODY_TOO_LARGE, str(exc))
    except UnreadableBody as exc:
        error = WorkerError(WorkerErrorCode.INVALID_REQUEST, str(exc))
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    try:
        authenticate(headers.get("authorization"))
    except WorkerError as unauthorized:
        error = unauthorized
    logger.info("worker api error", extra={"code": error.code.value, "detail": error.message})
    body = WorkerErrorResponse(error=WorkerErrorBody(code=error.code.value, message=error.message))
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": body.model_dump_json(),
        "isBase64Encoded": False,
    }
