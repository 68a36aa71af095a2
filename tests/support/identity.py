"""Signed-in callers for the JWT APIs (auth, account, operator), through the local gateway in-process: the same
authorizer check (local.gateway.verify_id_token) and proxy event the running platform uses, no HTTP server.

    status, body = gateway("POST", "/auth/v1/signIn", {"email": ..., "password": ...})
    client = sign_up_client("a@example.com")          # sign-up → code from the outbox → confirm → sign in
    gateway("GET", "/account/v1/me", token=client.id_token)
    ops = staff("ops@example.com")                    # an operator (operators group), signed in
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from bytebridge.identity import OPERATORS
from bytebridge.logic.users import create_staff
from local.gateway import dispatch
from local.platform import LOCAL_GET_ROUTES, LOCAL_ROUTES

PASSWORD = "Sample-passw0rd"
_CODE = re.compile(r"\b(\d{6})\b")


def gateway(
    method: str, path: str, body: Any = None, *, token: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One request through the local gateway; (status, parsed JSON body or None)."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    raw = json.dumps(body).encode() if body is not None else b""
    status, _, out = dispatch(method, path, sent, raw, "127.0.0.1", LOCAL_ROUTES, LOCAL_GET_ROUTES)
    return status, (json.loads(out) if out else None)


def outbox(to: str | None = None) -> list[dict]:
    path = "/local/outbox" + (f"?to={to}" if to else "")
    status, mails = gateway("GET", path)
    assert status == 200, mails
    return mails


def latest_code(email: str) -> str:
    """The code of the newest mail to `email` (verification or reset)."""
    for mail in outbox(email):
        if match := _CODE.search(mail["text"] or ""):
            return match.group(1)
    raise AssertionError(f"no code mailed to {email}")


@dataclass
class SignedIn:
    email: str
    password: str
    id_token: str
    access_token: str
    refresh_token: str | None
    user_id: str | None = None


def sign_in(email: str, password: str = PASSWORD) -> SignedIn:
    status, body = gateway("POST", "/auth/v1/signIn", {"email": email, "password": password})
    assert status == 200, body
    return SignedIn(email, password, body["idToken"], body["accessToken"], body["refreshToken"])


def sign_up_client(email: str, password: str = PASSWORD, language: str = "en") -> SignedIn:
    status, body = gateway("POST", "/auth/v1/signUp", {"email": email, "password": password, "language": language})
    assert status == 200, body
    status, body = gateway("POST", "/auth/v1/confirmSignUp", {"email": email, "code": latest_code(email)})
    assert status == 200, body
    signed_in = sign_in(email, password)
    signed_in.user_id = body["userId"]
    return signed_in


def staff(email: str = "operator@example.com", password: str = PASSWORD, group: str = OPERATORS) -> SignedIn:
    """A staff user (created as `make operator` does), signed in."""
    create_staff(email, password, group)
    return sign_in(email, password)
