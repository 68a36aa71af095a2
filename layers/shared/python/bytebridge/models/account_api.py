"""Wire models of the auth API (/auth/v1, public) and the account API (/account/v1, Cognito JWT)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Language = Literal["en", "zh"]
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class _Wire(BaseModel):
    # defer_build: validators are built on first use, so a cold start builds only the models its route uses
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)


class SignUpRequest(_Wire):
    email: str = Field(max_length=254, pattern=_EMAIL)
    password: str = Field(min_length=8, max_length=256)
    language: Language = "en"


class ConfirmSignUpRequest(_Wire):
    email: str = Field(max_length=254)
    code: str = Field(min_length=1, max_length=16)


class EmailRequest(_Wire):
    email: str = Field(max_length=254)


class SignInRequest(_Wire):
    email: str = Field(max_length=254)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(_Wire):
    refresh_token: str = Field(min_length=1, max_length=4096)


class ConfirmForgotPasswordRequest(_Wire):
    email: str = Field(max_length=254)
    code: str = Field(min_length=1, max_length=16)
    password: str = Field(min_length=8, max_length=256)


class Done(_Wire):
    ok: bool = True
    message: str = ""


class ConfirmSignUpResponse(_Wire):
    user_id: str


class TokensResponse(_Wire):
    id_token: str = Field(description="Send as `Authorization: Bearer <idToken>` to the JWT APIs")
    access_token: str
    refresh_token: str | None
    expires_in: int = Field(description="Seconds the ID and access tokens stay valid")


class Notices(_Wire):
    optional: bool = Field(description="Non-essential e-mails (PM message notices, …); essential ones always go")


class BillingDetails(_Wire):
    """Printed on invoices under the account's e-mail (all optional)."""

    name: str = Field("", max_length=200)
    company: str = Field("", max_length=200)
    address: str = Field("", max_length=1000, description="lines apart by \\n")
    tax_id: str = Field("", max_length=64)


class MeResponse(_Wire):
    user_id: str
    email: str
    language: Language
    notices: Notices
    billing: BillingDetails = Field(default_factory=BillingDetails)


class NoticesPatch(_Wire):
    optional: bool | None = None


class PatchMeRequest(_Wire):
    language: Language | None = None
    notices: NoticesPatch | None = None
    billing: BillingDetails | None = Field(None, description="replaces the billing details as a whole")


class ApiKey(_Wire):
    key_id: str
    secret_key: str
    created_at: int = Field(description="Epoch ms")


class ApiKeysResponse(_Wire):
    user_id: str
    keys: list[ApiKey] = Field(description="The active secrets, oldest first (at most two)")


class WebhookSecretResponse(_Wire):
    secret: str = Field(description="whsec_…: verify each callback's ByteBridge-Signature with it (not the API secret)")
    previous_expires_at: int | None = Field(
        description="After a rotation: until when (epoch ms) callbacks also carry a signature by the previous secret"
    )


class ErrorBody(_Wire):
    code: str
    message: str


class ErrorResponse(_Wire):
    error: ErrorBody
