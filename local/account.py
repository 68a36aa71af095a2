"""`make account EMAIL=… [PASSWORD=…]`: make a client account on the running local platform the way a person
does: sign up (/auth/v1), read the verification code from the local outbox, confirm, sign in, read the API
secret (/account/v1/apiKeys). Prints {"userId", "secretKey"} as JSON on its last line."""

import argparse
import json
import re
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

CODE = re.compile(r"\b(\d{6})\b")


class Failed(Exception):
    pass


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read()).get("error") or {}
        except ValueError:
            error = {}
        raise Failed(f"{method} {path}: HTTP {exc.code} {error.get('message', '')}".strip()) from exc


def verification_code(base: str, email: str) -> str:
    for mail in call(base, "GET", f"/local/outbox?to={urllib.parse.quote(email)}"):
        if match := CODE.search(mail.get("text") or mail.get("html") or ""):
            return match.group(1)
    raise Failed(f"no verification mail for {email} in the outbox")


def new_password() -> str:
    """One that satisfies the pool's policy (upper, lower, digit, symbol, 8+)."""
    return f"Bb-{secrets.token_urlsafe(12)}9a"


def create(base: str, email: str, password: str, language: str = "en") -> dict[str, str]:
    call(base, "POST", "/auth/v1/signUp", {"email": email, "password": password, "language": language})
    confirmed = call(base, "POST", "/auth/v1/confirmSignUp", {"email": email, "code": verification_code(base, email)})
    tokens = call(base, "POST", "/auth/v1/signIn", {"email": email, "password": password})
    keys = call(base, "GET", "/account/v1/apiKeys", token=tokens["idToken"])
    return {"userId": confirmed["userId"], "secretKey": keys["keys"][-1]["secretKey"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", default="", help="default: a generated one (printed)")
    parser.add_argument("--language", default="en", choices=("en", "zh"))
    parser.add_argument("--port", type=int, default=20000)
    args = parser.parse_args()
    password = args.password or new_password()
    base = f"http://127.0.0.1:{args.port}"
    try:
        account = create(base, args.email, password, args.language)
    except Failed as exc:
        sys.exit(f"error: {exc}")
    except urllib.error.URLError:
        sys.exit(f"error: no platform on port {args.port}; start it with `make run`")
    print(f"signed up {args.email} (password: {password if not args.password else 'as given'})")
    print(json.dumps(account))


if __name__ == "__main__":
    main()
