"""The account API of signed-in clients (/account/v1, Cognito JWT, `clients` group): profile and e-mail
preferences, the API secrets (read and rotate: at most two active, rotation revokes the oldest), and the webhook
secret callbacks are signed with (read and rotate: the old one signs beside the new one for 24 hours)."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from bytebridge.body import as_json_request, first_problem
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.errors import ConditionFailed, NotFound
from bytebridge.identity import CLIENTS, Caller, caller_of, require_group
from bytebridge.logic import accounts
from bytebridge.models.account_api import (
    ApiKey,
    ApiKeysResponse,
    BillingDetails,
    MeResponse,
    Notices,
    PatchMeRequest,
    WebhookSecretResponse,
)
from bytebridge.models.json_errors import answer_caller_errors, error_response
from bytebridge.observability import logger, metrics, tracer

PREFIX = "/account/v1"
app = APIGatewayRestResolver(enable_validation=True)


answer_caller_errors(app)


@app.exception_handler(NotFound)
def handle_not_found(error: NotFound) -> Response:
    return error_response(404, "no_account", "this sign-in has no ByteBridge account (confirm the sign-up first)")


@app.exception_handler(ConditionFailed)
def handle_conflict(error: ConditionFailed) -> Response:
    return error_response(409, "conflict", "the keys changed meanwhile (another rotation): read them and retry")


@app.exception_handler(RequestValidationError)
def handle_invalid_body(error: RequestValidationError) -> Response:
    _client()  # callers without a token learn nothing about the body
    return error_response(400, "invalid_request", first_problem(list(error.errors())))


def _client() -> Caller:
    return require_group(caller_of(app.current_event.raw_event), CLIENTS)


def _user_id() -> str:
    """The caller's account: the userId its token names (custom:user_id), checked against the Cognito sub."""
    return accounts.account_of_caller(_client()).user_id


def _me(account: AccountModel) -> MeResponse:
    return MeResponse(
        user_id=account.user_id,
        email=account.email,
        language="zh" if account.language == "zh" else "en",
        notices=Notices(optional=bool(account.notices_optional)),
        billing=BillingDetails.model_validate(account.billing_details or {}),
    )


@app.get(f"{PREFIX}/me")
def me() -> MeResponse:
    return _me(accounts.account_of(_user_id()))


@app.patch(f"{PREFIX}/me")
def patch_me(request: PatchMeRequest) -> MeResponse:
    optional = request.notices.optional if request.notices is not None else None
    billing = request.billing.model_dump(by_alias=True) if request.billing is not None else None
    return _me(
        accounts.update_preferences(
            _user_id(), language=request.language, notices_optional=optional, billing_details=billing
        )
    )


def _keys(user_id: str) -> ApiKeysResponse:
    keys = [
        ApiKey(key_id=key_id, secret_key=secret, created_at=created)
        for key_id, secret, created in accounts.api_keys(user_id)
    ]
    return ApiKeysResponse(user_id=user_id, keys=keys)


def _no_store(body: str) -> Response:
    """Secrets: never cached by a browser or a proxy."""
    return Response(200, content_types.APPLICATION_JSON, body, headers={"Cache-Control": "no-store"})


@app.get(f"{PREFIX}/apiKeys")
def api_keys():  # a Response (no-store header), not a model: no return annotation for the validator
    return _no_store(_keys(_user_id()).model_dump_json(by_alias=True))


@app.post(f"{PREFIX}/apiKeys/rotate")
def rotate():  # a Response (no-store header), not a model: no return annotation for the validator
    user_id = _user_id()
    accounts.rotate_key(user_id)
    logger.info("api key rotated", extra={"user_id": user_id})
    return _no_store(_keys(user_id).model_dump_json(by_alias=True))


@app.get(f"{PREFIX}/webhookSecret")
def get_webhook_secret():  # a Response (no-store header), not a model: no return annotation for the validator
    from bytebridge.delivery import callbacks  # with the results models under it: loaded by these two routes only

    account = accounts.account_of(_user_id())
    secret = callbacks.account_webhook_secret(account)
    until = callbacks.previous_secret_until(account, now_ms())
    return _no_store(WebhookSecretResponse(secret=secret, previous_expires_at=until).model_dump_json(by_alias=True))


@app.post(f"{PREFIX}/webhookSecret/rotate")
def rotate_webhook_secret():  # a Response (no-store header), not a model: no return annotation for the validator
    from bytebridge.delivery import callbacks

    user_id = _user_id()
    secret, until = callbacks.rotate_webhook_secret(accounts.account_of(user_id))
    logger.info("webhook secret rotated", extra={"user_id": user_id})
    return _no_store(WebhookSecretResponse(secret=secret, previous_expires_at=until).model_dump_json(by_alias=True))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(as_json_request(event, ("POST", "PATCH")), context)
