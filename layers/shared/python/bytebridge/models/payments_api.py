"""Wire models of the card and refund calls of the signed client API (setupCard, confirmCard, refund,
listRefunds), in the documented style: the signed envelope, camelCase, amounts in US cents, times in epoch ms."""

from typing import Annotated

from pydantic import Field, StringConstraints

from bytebridge.models.client_api import SignedBody, SuccessEnvelope, _Wire

SetupIntentId = Annotated[str, StringConstraints(pattern=r"^seti_[A-Za-z0-9_]{1,200}$")]


class SetupCardParams(_Wire):
    pass


class ConfirmCardParams(_Wire):
    setup_intent_id: SetupIntentId = Field(
        description="The setupIntentId setupCard answered, after the browser confirmed it"
    )


class RefundParams(_Wire):
    pass


class ListRefundsParams(_Wire):
    pass


class SetupCardRequest(SignedBody):
    params: SetupCardParams = Field(default_factory=SetupCardParams)


class ConfirmCardRequest(SignedBody):
    params: ConfirmCardParams


class RefundRequest(SignedBody):
    params: RefundParams = Field(default_factory=RefundParams)


class ListRefundsRequest(SignedBody):
    params: ListRefundsParams = Field(default_factory=ListRefundsParams)


class SetupCardData(_Wire):
    setup_intent_id: str
    client_secret: str = Field(description="For Stripe.js (confirmCardSetup) in the browser; never store it")
    publishable_key: str = Field(description="Stripe.js's key")


class ConfirmCardData(_Wire):
    card_bound: bool = True
    brand: str = Field(description="visa, mastercard, …")
    last4: str
    settled: bool = Field(description="false: something is still owed and charging this card for it failed")


class RefundRecord(_Wire):
    refund_id: str
    payment_id: str = Field(description="The card payment the money goes back to")
    amount_cents: int
    status: str = Field(description="pending | succeeded | failed | canceled")
    created_at: int


class RefundData(_Wire):
    refunded_cents: int = Field(description="The total this call sends back to your cards")
    refunds: list[RefundRecord] = Field(description="One per card payment, newest payment first")
    paused_project_ids: list[str] = Field(description="Running projects this call paused first")
    bonus_cents: int = Field(description="Bonus credit kept on the balance: it is never refunded")


class ListRefundsData(_Wire):
    refunds: list[RefundRecord] = Field(description="Newest first")


class SetupCardResponse(SuccessEnvelope):
    data: SetupCardData


class ConfirmCardResponse(SuccessEnvelope):
    data: ConfirmCardData


class RefundResponse(SuccessEnvelope):
    data: RefundData


class ListRefundsResponse(SuccessEnvelope):
    data: ListRefundsData
