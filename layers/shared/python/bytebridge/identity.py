"""Who called a JWT-authorized route (auth, account, operator APIs), from the Cognito authorizer's claims.

Deployed, API Gateway's CognitoUserPoolsAuthorizer verifies the ID token and puts its claims into
event["requestContext"]["authorizer"]["claims"]; locally, local/gateway.py verifies the token the same way
(RS256 against the pool's JWKS, exp, iss, aud, token_use=id) and writes the same place. Claims used:

    {"sub": "<cognito user uuid>", "email": "a@b.c",
     "cognito:groups": "clients,operators" | "[clients operators]" | ["clients", "operators"],
     "custom:user_id": "U_…"}            # optional: the ByteBridge account (clients only)

Only the shape API Gateway delivers is read; nothing here verifies a token (the authorizer did).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CLIENTS = "clients"
OPERATORS = "operators"
ANNOTATORS = "annotators"
GROUPS = (CLIENTS, OPERATORS, ANNOTATORS)

USER_ID_CLAIM = "custom:user_id"
# The body of a 401 from the authorizer (deployed: API Gateway's gateway response; locally: local.gateway).
UNAUTHENTICATED_MESSAGE = "sign in (/auth/v1/signIn) and send the ID token as `Authorization: Bearer <idToken>`"


class Unauthenticated(Exception):
    """No (usable) authorizer claims on the event: map to HTTP 401."""


class WrongGroup(Exception):
    """The caller is signed in but not in the group the route needs: map to HTTP 403."""

    def __init__(self, group: str) -> None:
        super().__init__(f"this route is for members of the {group!r} group")
        self.group = group


@dataclass(frozen=True)
class Caller:
    sub: str
    email: str
    groups: frozenset[str]
    user_id: str | None = None  # the ByteBridge account (U_…) of a client, when the token names one

    def in_group(self, group: str) -> bool:
        return group in self.groups


def parse_groups(value: Any) -> frozenset[str]:
    """`cognito:groups` as API Gateway passes it: "a,b", "[a b]", "a b", a list, or absent."""
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(group).strip() for group in value if str(group).strip())
    text = str(value).strip().strip("[]")
    return frozenset(part for part in text.replace(",", " ").split() if part)


def claims_of(event: Mapping[str, Any]) -> Mapping[str, Any]:
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
    if not isinstance(claims, Mapping) or not claims.get("sub"):
        raise Unauthenticated("no authorizer claims")
    return claims


def caller_of(event: Mapping[str, Any]) -> Caller:
    """The signed-in caller of a JWT route; Unauthenticated (401) when the event carries no claims."""
    claims = claims_of(event)
    return Caller(
        sub=str(claims["sub"]),
        email=str(claims.get("email") or ""),
        groups=parse_groups(claims.get("cognito:groups")),
        user_id=str(claims[USER_ID_CLAIM]) if claims.get(USER_ID_CLAIM) else None,
    )


def require_group(caller: Caller, group: str) -> Caller:
    """The caller, if in `group`; WrongGroup (403) otherwise."""
    if not caller.in_group(group):
        raise WrongGroup(group)
    return caller
