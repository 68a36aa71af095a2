"""Identity on the emulated platform, through the local gateway: sign-up with our own e-mailed code, sign-in,
password reset, the account API (profile, API secrets and their rotation) and the authorizer's refusals."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bytebridge import clock
from bytebridge.dal.codes import get_code
from bytebridge.errors import ErrorCode
from bytebridge.identity import CLIENTS, OPERATORS
from bytebridge.settings import get_settings
from local.gateway import issuer
from tests.support.client import ClientApi
from tests.support.identity import PASSWORD, gateway, latest_code, outbox, sign_in, sign_up_client, staff

EMAIL = "new.client@example.com"


def _sign_up(email: str = EMAIL, password: str = PASSWORD, language: str = "en") -> tuple[int, dict]:
    return gateway("POST", "/auth/v1/signUp", {"email": email, "password": password, "language": language})


def _confirm(code: str, email: str = EMAIL) -> tuple[int, dict]:
    return gateway("POST", "/auth/v1/confirmSignUp", {"email": email, "code": code})


def _signed_call(user_id: str, secret: str) -> int:
    """The documented code of a signed retrieveProject of a project nobody has: 8 once the signature passed."""
    return ClientApi(user_id, secret).call("/api/v1/projects/retrieveProject", {"projectId": "p1_nothing"})["code"]


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_sign_up_confirm_sign_in_and_call_the_signed_api_with_the_secret(aws):
    status, body = _sign_up(language="zh")
    assert status == 200, body
    mails = outbox(EMAIL)
    assert len(mails) == 1 and "ByteBridge" in mails[0]["subject"]
    code = latest_code(EMAIL)
    row = get_code("verify", EMAIL)
    assert row is not None and code not in (row.code_hash, row.salt)  # stored hashed, never in clear

    status, body = gateway("POST", "/auth/v1/signIn", {"email": EMAIL, "password": PASSWORD})
    assert (status, body["error"]["code"]) == (403, "not_confirmed")

    status, confirmed = _confirm(code)
    assert status == 200, confirmed
    user_id = confirmed["userId"]
    assert user_id.startswith("U_")
    assert get_code("verify", EMAIL) is None  # a code works once

    client = sign_in(EMAIL)
    claims = jwt.decode(client.id_token, options={"verify_signature": False})
    assert CLIENTS in claims["cognito:groups"] and claims["custom:user_id"] == user_id

    status, me = gateway("GET", "/account/v1/me", token=client.id_token)
    assert status == 200, me
    no_billing = {"name": "", "company": "", "address": "", "taxId": ""}  # printed on invoices once set
    notices = {"optional": True}
    assert me == {"userId": user_id, "email": EMAIL, "language": "zh", "notices": notices, "billing": no_billing}

    status, keys = gateway("GET", "/account/v1/apiKeys", token=client.id_token)
    assert status == 200, keys
    assert [k["keyId"] for k in keys["keys"]] == ["k1"]
    secret = keys["keys"][0]["secretKey"]
    assert secret.startswith("test_")

    assert _signed_call(user_id, secret) == ErrorCode.PROJECT_NOT_FOUND  # signature accepted


def test_sign_up_refusals(aws):
    assert _sign_up(password="short")[0] == 400
    assert _sign_up(password="alllowercase1!")[0] == 400  # the pool's policy: upper, lower, digit, symbol
    assert _sign_up(email="not-an-address")[0] == 400
    assert _sign_up()[0] == 200
    status, body = _sign_up()
    assert (status, body["error"]["code"]) == (409, "account_exists")
    sign_up_client("taken@example.com")
    status, body = _sign_up(email="taken@example.com")
    assert (status, body["error"]["code"]) == (409, "account_exists")


def test_a_wrong_code_counts_and_too_many_attempts_lock_the_code(aws):
    _sign_up()
    code = latest_code(EMAIL)
    for left in (4, 3, 2, 1, 0):
        status, body = _confirm(_wrong(code))
        assert (status, body["error"]["code"]) == (400, "code_invalid")
        assert f"{left} attempts left" in body["error"]["message"]
    status, body = _confirm(code)  # even the right code: a new one is needed
    assert (status, body["error"]["code"]) == (429, "too_many_attempts")

    clock.advance(61)  # resends are limited to one a minute
    assert gateway("POST", "/auth/v1/resendCode", {"email": EMAIL})[0] == 200
    new_code = latest_code(EMAIL)
    assert _confirm(new_code)[0] == 200


def test_an_expired_code_is_refused_and_resend_is_rate_limited(aws):
    _sign_up()
    code = latest_code(EMAIL)
    status, body = gateway("POST", "/auth/v1/resendCode", {"email": EMAIL})
    assert (status, body["error"]["code"]) == (429, "too_soon")
    clock.advance(15 * 60 + 1)
    status, body = _confirm(code)
    assert (status, body["error"]["code"]) == (400, "code_expired")
    assert gateway("POST", "/auth/v1/resendCode", {"email": EMAIL})[0] == 200
    assert _confirm(latest_code(EMAIL))[0] == 200
    # resendCode and forgotPassword do not reveal whether an address exists
    assert gateway("POST", "/auth/v1/resendCode", {"email": "nobody@example.com"})[0] == 200
    assert gateway("POST", "/auth/v1/forgotPassword", {"email": "nobody@example.com"})[0] == 200
    assert outbox("nobody@example.com") == []


def test_password_reset(aws):
    client = sign_up_client(EMAIL)
    status, body = gateway("POST", "/auth/v1/signIn", {"email": EMAIL, "password": "Wrong-passw0rd"})
    assert (status, body["error"]["code"]) == (401, "sign_in_failed")
    assert gateway("POST", "/auth/v1/forgotPassword", {"email": EMAIL})[0] == 200
    code = latest_code(EMAIL)
    new_password = "Another-passw0rd"
    request = {"email": EMAIL, "code": _wrong(code), "password": new_password}
    assert gateway("POST", "/auth/v1/confirmForgotPassword", request)[0] == 400
    weak = {"email": EMAIL, "code": code, "password": "weakpassword"}
    status, body = gateway("POST", "/auth/v1/confirmForgotPassword", weak)
    assert (status, body["error"]["code"]) == (400, "invalid_password")
    assert gateway("POST", "/auth/v1/confirmForgotPassword", {**request, "code": code})[0] == 200
    assert gateway("POST", "/auth/v1/signIn", {"email": EMAIL, "password": PASSWORD})[0] == 401
    again = sign_in(EMAIL, new_password)
    assert gateway("GET", "/account/v1/me", token=again.id_token)[0] == 200
    # the old session's refresh token was revoked by the reset
    assert gateway("POST", "/auth/v1/refresh", {"refreshToken": client.refresh_token})[0] == 401
    status, body = gateway("POST", "/auth/v1/refresh", {"refreshToken": again.refresh_token})
    assert status == 200 and body["idToken"]


def test_rotation_keeps_at_most_two_secrets_and_the_revoked_one_is_refused(aws):
    client = sign_up_client(EMAIL)
    _, keys = gateway("GET", "/account/v1/apiKeys", token=client.id_token)
    first = keys["keys"][0]["secretKey"]
    clock.advance(1)
    status, rotated = gateway("POST", "/account/v1/apiKeys/rotate", token=client.id_token)
    assert status == 200, rotated
    assert [k["keyId"] for k in rotated["keys"]] == ["k1", "k2"]
    second = rotated["keys"][1]["secretKey"]
    for secret in (first, second):  # both work during the rotation
        assert _signed_call(client.user_id, secret) == ErrorCode.PROJECT_NOT_FOUND
    clock.advance(1)
    _, rotated = gateway("POST", "/account/v1/apiKeys/rotate", token=client.id_token)
    assert [k["keyId"] for k in rotated["keys"]] == ["k2", "k3"]  # the oldest went
    assert _signed_call(client.user_id, first) == ErrorCode.SIGNATURE_FAILED
    for key in rotated["keys"]:
        assert _signed_call(client.user_id, key["secretKey"]) == ErrorCode.PROJECT_NOT_FOUND


def test_preferences(aws):
    client = sign_up_client(EMAIL)
    status, me = gateway(
        "PATCH", "/account/v1/me", {"language": "zh", "notices": {"optional": False}}, token=client.id_token
    )
    assert status == 200, me
    assert (me["language"], me["notices"]) == ("zh", {"optional": False})
    assert gateway("PATCH", "/account/v1/me", {"language": "fr"}, token=client.id_token)[0] == 400
    assert gateway("GET", "/account/v1/me", token=client.id_token)[1]["language"] == "zh"


def _forged(claims: dict, key=None, kid: str = "dummy") -> str:
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_the_authorizer_refuses_missing_expired_forged_and_foreign_tokens(aws):
    client = sign_up_client(EMAIL)
    assert gateway("GET", "/account/v1/me", token=client.id_token)[0] == 200

    status, body = gateway("GET", "/account/v1/me")
    assert (status, body["error"]["code"]) == (401, "unauthenticated")
    assert gateway("GET", "/account/v1/me", token="not.a.jwt")[0] == 401
    assert gateway("GET", "/account/v1/me", token=client.access_token)[0] == 401  # an access token is not an ID token
    # the same claims, signed by someone else's key
    assert gateway("GET", "/account/v1/me", token=_forged(_claims_of(client.id_token)))[0] == 401
    # our pool's token, with claims changed after signing (another user's id)
    header, _payload, signature = client.id_token.split(".")
    tampered_claims = {**_claims_of(client.id_token), "custom:user_id": "U_SOMEONEELSE"}
    tampered_payload = jwt.utils.base64url_encode(json.dumps(tampered_claims).encode()).decode()
    assert gateway("GET", "/account/v1/me", token=f"{header}.{tampered_payload}.{signature}")[0] == 401

    # expiry on the platform's clock: one hour
    clock.advance(3601)
    assert gateway("GET", "/account/v1/me", token=client.id_token)[0] == 401


def test_the_authorizer_checks_issuer_and_audience(aws, monkeypatch):
    client = sign_up_client(EMAIL)
    settings = get_settings()
    good = _claims_of(client.id_token)
    assert good["iss"] == issuer(settings.region, settings.user_pool_id)
    assert good["aud"] == settings.user_pool_client_id
    # moto signs every pool's tokens with one key: a token of another pool or app client verifies its signature,
    # so iss and aud must be checked (the gateway sees our settings: point them elsewhere)
    monkeypatch.setenv("USER_POOL_CLIENT_ID", "another-app-client")
    get_settings.cache_clear()
    assert gateway("GET", "/account/v1/me", token=client.id_token)[0] == 401
    monkeypatch.setenv("USER_POOL_CLIENT_ID", settings.user_pool_client_id)
    monkeypatch.setenv("USER_POOL_ID", "us-east-1_another")
    get_settings.cache_clear()
    assert gateway("GET", "/account/v1/me", token=client.id_token)[0] == 401
    monkeypatch.setenv("USER_POOL_ID", settings.user_pool_id)
    get_settings.cache_clear()
    assert gateway("GET", "/account/v1/me", token=client.id_token)[0] == 200


def test_staff_cannot_use_client_routes_and_operators_never_sign_up(aws):
    operator = staff("ops@example.com")
    claims = _claims_of(operator.id_token)
    assert OPERATORS in claims["cognito:groups"]
    status, body = gateway("GET", "/account/v1/me", token=operator.id_token)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    # a client token never carries the operators group: sign-up only ever adds `clients`
    client = sign_up_client(EMAIL)
    assert _claims_of(client.id_token)["cognito:groups"] == [CLIENTS]


def test_tokens_come_from_the_pool_with_a_real_expiry(aws):
    client = sign_up_client(EMAIL)
    claims = _claims_of(client.id_token)
    assert claims["token_use"] == "id"
    assert 0 < claims["exp"] - time.time() <= 3600


@pytest.mark.parametrize("path", ["/auth/v1/signIn", "/auth/v1/signUp", "/auth/v1/confirmSignUp"])
def test_auth_routes_need_no_token_and_validate_bodies(aws, path):
    status, body = gateway("POST", path, {"unexpected": 1})
    assert status == 400 and body["error"]["code"] == "invalid_request"


def test_racing_rotations_both_land_and_two_secrets_stay_active(aws):
    from concurrent.futures import ThreadPoolExecutor

    client = sign_up_client(EMAIL)
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda _: gateway("POST", "/account/v1/apiKeys/rotate", token=client.id_token), range(2))
        )
    assert [status for status, _ in answers] == [200, 200]
    _, keys = gateway("GET", "/account/v1/apiKeys", token=client.id_token)
    assert [k["keyId"] for k in keys["keys"]] == ["k2", "k3"]


def test_an_operator_created_at_deploy_sets_a_password_with_forgot_password(aws):
    from bytebridge.aws import client

    # as the CDK app's CfnUserPoolUser + group attachment do (-c operatorEmail): no password, no mail
    idp, pool = client("cognito-idp"), get_settings().user_pool_id
    email = "first.ops@example.com"
    idp.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=OPERATORS)
    assert gateway("POST", "/auth/v1/forgotPassword", {"email": email})[0] == 200
    request = {"email": email, "code": latest_code(email), "password": "First-0perator"}
    assert gateway("POST", "/auth/v1/confirmForgotPassword", request)[0] == 200
    operator = sign_in(email, "First-0perator")
    assert OPERATORS in _claims_of(operator.id_token)["cognito:groups"]
