"""Card and refund calls of the signed client API: save a card (setupCard, then confirmCard once the browser has
confirmed the SetupIntent), refund the unspent balance, and list refunds with their status."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.billing import cards, refunds
from bytebridge.clock import now_ms
from bytebridge.models.payments_api import (
    ConfirmCardData,
    ConfirmCardRequest,
    ConfirmCardResponse,
    ListRefundsRequest,
    ListRefundsResponse,
    RefundRequest,
    RefundResponse,
    SetupCardData,
    SetupCardRequest,
    SetupCardResponse,
)
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/billing/setupCard", SetupCardResponse, "Start saving a card (a Stripe SetupIntent)")
def setup_card(request: SetupCardRequest) -> SetupCardResponse:
    account = signed_account(router)
    setup = cards.setup_card(account)
    data = SetupCardData(
        setup_intent_id=setup.setup_intent_id, client_secret=setup.client_secret, publishable_key=setup.publishable_key
    )
    return SetupCardResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/billing/confirmCard", ConfirmCardResponse, "Save the card of a confirmed SetupIntent")
def confirm_card(request: ConfirmCardRequest) -> ConfirmCardResponse:
    account = signed_account(router)
    saved = cards.confirm_card(account, request.params.setup_intent_id)
    data = ConfirmCardData(brand=saved.brand, last4=saved.last4, settled=saved.settled)
    return ConfirmCardResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/billing/refund", RefundResponse, "Refund the unspent, non-bonus balance to the cards")
def refund(request: RefundRequest) -> RefundResponse:
    account = signed_account(router)
    return RefundResponse(timestamp=now_ms(), user_id=account.user_id, data=refunds.refund(account))


@signed_post(router, "/api/v1/billing/listRefunds", ListRefundsResponse, "Refunds and their status, newest first")
def list_refunds(request: ListRefundsRequest) -> ListRefundsResponse:
    account = signed_account(router)
    return ListRefundsResponse(timestamp=now_ms(), user_id=account.user_id, data=refunds.list_refunds(account))
