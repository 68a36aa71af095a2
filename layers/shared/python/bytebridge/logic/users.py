"""Sign-up, verification, sign-in and password reset against the stage's Cognito user pool (public auth API).

Cognito mails nothing for this pool: we generate 6-digit codes, store them hashed (bytebridge.dal.codes) with a
15-minute expiry and at most 5 wrong attempts, mail them through SES (bytebridge.delivery.notices templates), and
confirm with admin_confirm_sign_up / admin_set_user_password. Confirming a sign-up makes the ByteBridge account
(userId, first secret) linked to the Cognito `sub`, writes its userId into the user (custom:user_id, so ID tokens
name it) and adds the user to `clients`. Every step after the code check is idempotent, so a confirmation that
failed half-way can be repeated with a new code.

Errors are UserError(status, code, message): the auth handler answers them as {"error": {...}} with the status.
Unknown addresses are not revealed by resendCode / forgotPassword (always 200) nor by signIn (401 as for a wrong
password); signUp reveals a taken address (409), as Cognito itself does.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import get_account, user_id_for_email
from bytebridge.dal.codes import CodeModel, consume_code, count_wrong_attempt, get_code, put_code
from bytebridge.delivery import notices
from bytebridge.identity import CLIENTS, OPERATORS, USER_ID_CLAIM
from bytebridge.logic.accounts import AccountExists, create_account
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)

CODE_TTL_MS = 15 * 60 * 1000
MAX_ATTEMPTS = 5
RESEND_AFTER_MS = 60 * 1000  # one code mail per address and purpose per minute
LANGUAGES = ("en", "zh")
VERIFY = "verify"
RESET = "reset"
_MAIL_KIND = {VERIFY: notices.Kind.VERIFICATION, RESET: notices.Kind.PASSWORD_RESET}


class UserError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


def _idp() -> Any:
    return client("cognito-idp")


def _pool() -> str:
    pool = get_settings().user_pool_id
    if not pool:
        raise RuntimeError("USER_POOL_ID is not set")
    return pool


def _app_client() -> str:
    return get_settings().user_pool_client_id


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _normal(email: str) -> str:
    return email.strip().lower()


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _user(email: str) -> dict | None:
    try:
        return dict(_idp().admin_get_user(UserPoolId=_pool(), Username=email))
    except ClientError as error:
        if _error_code(error) == "UserNotFoundException":
            return None
        raise


def _attribute(user: dict, name: str) -> str | None:
    return next((a["Value"] for a in user.get("UserAttributes", []) if a["Name"] == name), None)


def _issue_code(purpose: str, email: str, language: str) -> None:
    """A new code for (purpose, email), stored hashed, mailed in `language`; refused within a minute of the last."""
    previous = get_code(purpose, email)
    now = now_ms()
    if previous is not None and now - int(previous.created_at) < RESEND_AFTER_MS:
        raise UserError(429, "too_soon", "a code was sent less than a minute ago; check your mail or wait")
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    put_code(
        purpose, email, salt=salt, code_hash=_hash(salt, code), expires_at=now + CODE_TTL_MS, language=language, now=now
    )
    notices.send_to(email, _MAIL_KIND[purpose], language, code=code, minutes=CODE_TTL_MS // 60000)


def _check_code(purpose: str, email: str, code: str) -> CodeModel:
    """The stored code row if `code` matches it; UserError otherwise (a wrong code counts as an attempt)."""
    row = get_code(purpose, email)
    if row is None:
        raise UserError(400, "code_invalid", "no code is pending for this address: ask for a new one")
    if (row.attempts or 0) >= MAX_ATTEMPTS:
        raise UserError(429, "too_many_attempts", "too many wrong codes: ask for a new one")
    if now_ms() > int(row.expires_at):
        raise UserError(400, "code_expired", "the code has expired: ask for a new one")
    if not hmac.compare_digest(_hash(row.salt, code.strip()), row.code_hash):
        if not count_wrong_attempt(row, MAX_ATTEMPTS):
            raise UserError(429, "too_many_attempts", "too many wrong codes: ask for a new one")
        left = MAX_ATTEMPTS - (row.attempts or 0)  # the row as updated
        raise UserError(400, "code_invalid", f"wrong code ({left} attempts left)")
    return row


def _password_error(error: ClientError) -> UserError:
    kind = _error_code(error)
    if kind in ("InvalidPasswordException", "InvalidParameterException"):
        return UserError(400, "invalid_password", error.response["Error"].get("Message", "invalid password"))
    raise error


def sign_up(email: str, password: str, language: str) -> None:
    """A new, unconfirmed pool user; a verification code goes to `email`."""
    email = _normal(email)
    try:
        _idp().sign_up(
            ClientId=_app_client(),
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
    except ClientError as error:
        if _error_code(error) == "UsernameExistsException":
            waiting = (_user(email) or {}).get("UserStatus") == "UNCONFIRMED"
            message = (
                "this e-mail is waiting for confirmation: confirmSignUp with the mailed code, or resendCode"
                if waiting
                else "an account with this e-mail exists: sign in or reset the password"
            )
            raise UserError(409, "account_exists", message) from error
        raise _password_error(error) from error
    _issue_code(VERIFY, email, language)


def resend_code(email: str) -> None:
    """Another verification code, if the address signed up and is not yet confirmed (silently nothing otherwise)."""
    email = _normal(email)
    user = _user(email)
    if user is None or user.get("UserStatus") != "UNCONFIRMED":
        return
    previous = get_code(VERIFY, email)
    _issue_code(VERIFY, email, previous.language if previous is not None else "en")


def confirm_sign_up(email: str, code: str) -> str:
    """Check the code, confirm the user, make (or find) its account; returns the userId."""
    email = _normal(email)
    row = _check_code(VERIFY, email, code)
    user = _user(email)
    if user is None:
        raise UserError(400, "code_invalid", "no code is pending for this address: ask for a new one")
    if user.get("UserStatus") == "UNCONFIRMED":
        _idp().admin_confirm_sign_up(UserPoolId=_pool(), Username=email)
    sub = _attribute(user, "sub")
    try:
        user_id, _ = create_account(
            email, card_bound=get_settings().signup_card_bound, cognito_sub=sub, language=row.language or "en"
        )
    except AccountExists:  # confirmed before (a repeated confirmation) or an account made for this address
        existing = user_id_for_email(email)
        account = get_account(existing) if existing else None
        if account is None or (account.cognito_sub and account.cognito_sub != sub):
            raise UserError(409, "account_exists", "an account with this e-mail exists") from None
        user_id = account.user_id
    _idp().admin_update_user_attributes(
        UserPoolId=_pool(),
        Username=email,
        UserAttributes=[{"Name": USER_ID_CLAIM, "Value": user_id}, {"Name": "email_verified", "Value": "true"}],
    )
    _idp().admin_add_user_to_group(UserPoolId=_pool(), Username=email, GroupName=CLIENTS)
    consume_code(row)
    log.info("sign-up confirmed", extra={"user_id": user_id})
    return user_id


def _tokens(result: dict, refresh_token: str | None = None) -> Tokens:
    auth = result.get("AuthenticationResult")
    if not auth:  # NEW_PASSWORD_REQUIRED: an operator created at deploy (-c operatorEmail) has no password yet
        challenge = result.get("ChallengeName", "a challenge")
        raise UserError(403, "password_needed", f"sign-in needs {challenge}: set a password with forgotPassword")
    return Tokens(
        id_token=auth["IdToken"],
        access_token=auth["AccessToken"],
        refresh_token=auth.get("RefreshToken") or refresh_token,
        expires_in=int(auth.get("ExpiresIn", 3600)),
    )


def sign_in(email: str, password: str) -> Tokens:
    email = _normal(email)
    try:
        result = _idp().initiate_auth(
            ClientId=_app_client(),
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except ClientError as error:
        kind = _error_code(error)
        if kind == "UserNotConfirmedException":
            raise UserError(403, "not_confirmed", "confirm the e-mail address first (confirmSignUp)") from error
        if kind in ("NotAuthorizedException", "UserNotFoundException"):
            raise UserError(401, "sign_in_failed", "wrong e-mail or password") from error
        raise
    return _tokens(result)


def refresh(refresh_token: str) -> Tokens:
    try:
        result = _idp().initiate_auth(
            ClientId=_app_client(),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except ClientError as error:
        if _error_code(error) in ("NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"):
            raise UserError(401, "refresh_failed", "the refresh token is invalid or expired: sign in") from error
        raise
    return _tokens(result, refresh_token)


def forgot_password(email: str) -> None:
    """A reset code to a confirmed user's address (silently nothing for an unknown or unconfirmed one)."""
    email = _normal(email)
    user = _user(email)
    if user is None or user.get("UserStatus") not in ("CONFIRMED", "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"):
        return
    user_id = _attribute(user, USER_ID_CLAIM)
    account = get_account(user_id) if user_id else None
    _issue_code(RESET, email, account.language if account is not None else "en")


def confirm_forgot_password(email: str, code: str, password: str) -> None:
    """Set the new password if the code matches; every session of the user ends (refresh tokens revoked)."""
    email = _normal(email)
    row = _check_code(RESET, email, code)
    try:
        _idp().admin_set_user_password(UserPoolId=_pool(), Username=email, Password=password, Permanent=True)
    except ClientError as error:
        raise _password_error(error) from error
    consume_code(row)
    _idp().admin_user_global_sign_out(UserPoolId=_pool(), Username=email)


def create_staff(email: str, password: str, group: str = OPERATORS) -> str:
    """A staff user (never by sign-up): created confirmed with `password`, in `group`. An existing user gets the
    password and the group. Returns the Cognito sub. Used by `make operator`, `make run` and the tests."""
    email = _normal(email)
    try:
        _idp().admin_create_user(
            UserPoolId=_pool(),
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",  # Cognito mails nothing; the operator is told the password another way
        )
    except ClientError as error:
        if _error_code(error) != "UsernameExistsException":
            raise
    try:
        _idp().admin_set_user_password(UserPoolId=_pool(), Username=email, Password=password, Permanent=True)
    except ClientError as error:
        raise _password_error(error) from error
    _idp().admin_add_user_to_group(UserPoolId=_pool(), Username=email, GroupName=group)
    user = _user(email) or {}
    return _attribute(user, "sub") or ""
