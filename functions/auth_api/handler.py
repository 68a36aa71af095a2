"""The public auth API (/auth/v1): sign-up with an e-mailed code, sign-in, token refresh, password reset.
Thin: parse, call bytebridge.logic.users, answer UserError as {"error": {"code", "message"}} with its status.
No authorizer: these are the calls made before a caller has a token."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from auth_api import invoice_link_routes, unsubscribe_routes
from bytebridge.body import as_json_request, first_problem
from bytebridge.logic import users
from bytebridge.logic.users import UserError
from bytebridge.models.account_api import (
    ConfirmForgotPasswordRequest,
    ConfirmSignUpRequest,
    ConfirmSignUpResponse,
    Done,
    EmailRequest,
    RefreshRequest,
    SignInRequest,
    SignUpRequest,
    TokensResponse,
)
from bytebridge.models.json_errors import error_response
from bytebridge.observability import logger, metrics, tracer

PREFIX = "/auth/v1"
app = APIGatewayRestResolver(enable_validation=True)
app.include_router(unsubscribe_routes.router)
app.include_router(invoice_link_routes.router)


@app.exception_handler(UserError)
def handle_user_error(error: UserError) -> Response:
    logger.info("auth api refusal", extra={"status": error.status, "code": error.code})
    return error_response(error.status, error.code, error.message)


@app.exception_handler(RequestValidationError)
def handle_invalid_body(error: RequestValidationError) -> Response:
    return error_response(400, "invalid_request", first_problem(list(error.errors())))


def _tokens(tokens: users.Tokens) -> TokensResponse:
    return TokensResponse(
        id_token=tokens.id_token,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


@app.post(f"{PREFIX}/signUp")
def sign_up(request: SignUpRequest) -> Done:
    users.sign_up(request.email, request.password, request.language)
    return Done(message="a verification code was sent to the address")


@app.post(f"{PREFIX}/confirmSignUp")
def confirm_sign_up(request: ConfirmSignUpRequest) -> ConfirmSignUpResponse:
    return ConfirmSignUpResponse(user_id=users.confirm_sign_up(request.email, request.code))


@app.post(f"{PREFIX}/resendCode")
def resend_code(request: EmailRequest) -> Done:
    users.resend_code(request.email)
    return Done(message="if the address is waiting for confirmation, a new code was sent")


@app.post(f"{PREFIX}/signIn")
def sign_in(request: SignInRequest) -> TokensResponse:
    return _tokens(users.sign_in(request.email, request.password))


@app.post(f"{PREFIX}/refresh")
def refresh(request: RefreshRequest) -> TokensResponse:
    return _tokens(users.refresh(request.refresh_token))


@app.post(f"{PREFIX}/forgotPassword")
def forgot_password(request: EmailRequest) -> Done:
    users.forgot_password(request.email)
    return Done(message="if the address has an account, a reset code was sent")


@app.post(f"{PREFIX}/confirmForgotPassword")
def confirm_forgot_password(request: ConfirmForgotPasswordRequest) -> Done:
    users.confirm_forgot_password(request.email, request.code, request.password)
    return Done(message="password changed: sign in again")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(as_json_request(event), context)
