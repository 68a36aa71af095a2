"""The Cognito user pool as plain data: the CDK app (infra.identity_construct) deploys it and the local runtime
(local.provision) creates the same pool on moto, so the two cannot differ.

One pool for every audience (clients, operators, annotators), told apart by group: one sign-in page and token
format, one authorizer per API, and a person can hold two roles (docs/decisions.md)."""

from dataclasses import dataclass

from bytebridge.identity import GROUPS, USER_ID_CLAIM

POOL_BASE = "users"  # physical name: bytebridge-<stage>-users
CLIENT_BASE = "web"  # the app client used by the dashboard, the CLIs and the auth API


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_digits: bool = True
    require_symbols: bool = True


PASSWORD_POLICY = PasswordPolicy()
# custom:user_id holds the ByteBridge account (U_…): written by the auth API at confirmation, never by the user
# (the app client may not write it), read by the account API from the ID token.
CUSTOM_ATTRIBUTES = {USER_ID_CLAIM.removeprefix("custom:"): 64}  # name → max length
CLIENT_AUTH_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
ID_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30
GROUP_DESCRIPTIONS = {
    "clients": "Client accounts (sign-up); one ByteBridge account (userId) each",
    "operators": "Staff: review, trials, disputes (operator API); created by `make operator` or -c operatorEmail",
    "annotators": "Annotators (workbench)",
}
assert set(GROUP_DESCRIPTIONS) == set(GROUPS)
