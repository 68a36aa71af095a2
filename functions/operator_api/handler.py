"""The operator API (/operator/v1): Cognito JWT (API Gateway's authorizer; locally the gateway), members of
`operators` only. Review queue, approve / reject, trial size, trial disputes and their answers, starting a
project that waits for payment, project messages, disputes of consumed items (billing/disputes: accept with a
credit or reject), the audit log. Every action is audited.

Errors are JSON with an HTTP status: {"error": {"code", "message"}}: 400 invalid, 401 no valid token, 403 not an
operator, 404 unknown project, 409 the project is not (or no longer) in the status the action needs.
"""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from pydantic import ValidationError

from bytebridge.billing.disputes import DisputeError
from bytebridge.body import first_problem
from bytebridge.identity import OPERATORS, Caller, caller_of, require_group
from bytebridge.logic import disputes as billing_disputes
from bytebridge.logic import operators
from bytebridge.logic.lifecycle import LifecycleError
from bytebridge.models.billing_api import NegotiatedPricesRequest
from bytebridge.models.json_errors import answer_caller_errors, error_response
from bytebridge.models.operator_api import (
    ApproveRequest,
    DisputeAcceptRequest,
    DisputeRejectRequest,
    DisputesAnswerRequest,
    MessageRequest,
    RejectRequest,
    TrialSizeRequest,
)
from bytebridge.observability import logger, metrics, tracer

PREFIX = "/operator/v1"
app = APIGatewayRestResolver(enable_validation=True)


answer_caller_errors(app)


@app.exception_handler(LifecycleError)
def handle_refused(error: LifecycleError) -> Response:
    return error_response(error.status, error.code, error.message)


@app.exception_handler(DisputeError)
def handle_dispute_refused(error: DisputeError) -> Response:
    return error_response(error.status, error.code, error.message)


@app.exception_handler(RequestValidationError)
def handle_invalid_body(error: RequestValidationError) -> Response:
    _operator()  # callers without a token (or not operators) learn nothing about the body
    return error_response(400, "invalid_request", first_problem(list(error.errors())))


@app.not_found
def handle_unknown_route(error: Exception) -> Response:
    _operator()
    return error_response(
        404, "no_route", f"no operator API at {app.current_event.http_method} {app.current_event.path}"
    )


def _operator() -> Caller:
    return require_group(caller_of(app.current_event.raw_event), OPERATORS)


def _by() -> str:
    caller = _operator()
    return caller.email or caller.sub


@app.get(f"{PREFIX}/reviews")
def list_reviews() -> dict:
    _operator()
    return {"reviews": operators.review_queue()}


@app.post(f"{PREFIX}/reviews/<project_id>/approve")
def approve(project_id: str):  # no return model: an invalid optional body answers a Response
    by = _by()
    raw = app.current_event.body  # the body is optional: {} or nothing approves with the default trial size
    try:
        body = ApproveRequest.model_validate_json(raw) if raw and raw.strip() else ApproveRequest()
    except ValidationError as exc:
        return error_response(400, "invalid_request", first_problem(list(exc.errors()), skip=0))
    return operators.approve(by, project_id, body.trial_size)


@app.post(f"{PREFIX}/reviews/<project_id>/reject")
def reject(project_id: str, body: RejectRequest) -> dict:
    by = _by()
    return operators.reject(by, project_id, body.reasons, body.note)


@app.post(f"{PREFIX}/projects/<project_id>/trialSize")
def trial_size(project_id: str, body: TrialSizeRequest) -> dict:
    by = _by()
    return operators.trial_size(by, project_id, body.size)


@app.get(f"{PREFIX}/disputes")
def list_disputes() -> dict:
    _operator()
    return {"disputes": operators.disputes()}


@app.post(f"{PREFIX}/projects/<project_id>/disputes/answer")
def answer_disputes(project_id: str, body: DisputesAnswerRequest) -> dict:
    by = _by()
    return operators.answer_disputes(by, project_id, body.text, body.relabel)


@app.post(f"{PREFIX}/projects/<project_id>/start")
def start(project_id: str) -> dict:
    by = _by()
    return operators.start(by, project_id)


@app.put(f"{PREFIX}/projects/<project_id>/prices")
def set_prices(project_id: str, body: NegotiatedPricesRequest) -> dict:
    by = _by()
    return operators.set_prices(by, project_id, {t.value: cents for t, cents in body.prices.items()})


@app.get(f"{PREFIX}/billing/disputes")
def list_billing_disputes() -> dict:
    _operator()
    return {"disputes": billing_disputes.queue()}


@app.post(f"{PREFIX}/billing/disputes/<user_id>/<dispute_id>/accept")
def accept_billing_dispute(user_id: str, dispute_id: str, body: DisputeAcceptRequest) -> dict:
    by = _by()
    return billing_disputes.accept(by, user_id, dispute_id, body.amount_cents, body.note)


@app.post(f"{PREFIX}/billing/disputes/<user_id>/<dispute_id>/reject")
def reject_billing_dispute(user_id: str, dispute_id: str, body: DisputeRejectRequest) -> dict:
    by = _by()
    return billing_disputes.reject(by, user_id, dispute_id, body.reason)


@app.get(f"{PREFIX}/projects/<project_id>/messages")
def list_messages(project_id: str) -> dict:
    _operator()
    event = app.current_event
    since, limit = event.get_query_string_value("since"), event.get_query_string_value("limit")
    if (since and not since.isdigit()) or (limit and not limit.isdigit()):
        raise LifecycleError("since and limit are whole numbers")
    return operators.list_messages(project_id, int(since) if since else None, int(limit) if limit else 50)


@app.post(f"{PREFIX}/projects/<project_id>/messages")
def post_message(project_id: str, body: MessageRequest) -> dict:
    by = _by()
    return operators.post_message(by, project_id, body.text, body.item_id)


@app.get(f"{PREFIX}/inbox")
def inbox() -> dict:
    _operator()
    event = app.current_event
    limit = event.get_query_string_value("limit")
    if limit and not limit.isdigit():
        raise LifecycleError("limit is a whole number")
    return operators.inbox(int(limit) if limit else operators.INBOX_PAGE, event.get_query_string_value("cursor"))


@app.get(f"{PREFIX}/accounts")
def lookup_account() -> dict:
    by = _by()
    event = app.current_event
    email, user_id = event.get_query_string_value("email"), event.get_query_string_value("userId")
    return operators.lookup_account(by, email=email or None, user_id=user_id or None)


@app.get(f"{PREFIX}/audit")
def audit_log() -> dict:
    _operator()
    day = app.current_event.get_query_string_value("day")
    return {"entries": operators.audit_log(day)}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
