"""The money calls of the client API: the published prices (unsigned GET), estimate and confirm (the pre-charge that
starts a project whose trial was accepted), and retrieveBalance (the balance and its ledger, paged)."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.logic import billing
from bytebridge.models.billing_api import (
    ConfirmRequest,
    ConfirmResponse,
    EstimateRequest,
    EstimateResponse,
    PricesResponse,
    RetrieveBalanceRequest,
    RetrieveBalanceResponse,
)
from client_api.signed import signed_account, signed_post

PRICES_PATH = "/api/v1/prices"
router = Router()


@router.get(PRICES_PATH, summary="The published unit prices per task type (unsigned)")
def get_prices() -> PricesResponse:
    return PricesResponse(timestamp=now_ms(), data=billing.prices_table())


@signed_post(router, "/api/v1/projects/estimate", EstimateResponse, "Estimate a project's cost from its accepted trial")
def estimate(request: EstimateRequest) -> EstimateResponse:
    account = signed_account(router)
    data = billing.project_estimate(account, request.params.project_id)
    return EstimateResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/confirm", ConfirmResponse, "Pre-charge the estimate and start the project")
def confirm(request: ConfirmRequest) -> ConfirmResponse:
    account = signed_account(router)
    data = billing.confirm(account, request.params.project_id)
    return ConfirmResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/billing/retrieveBalance", RetrieveBalanceResponse, "The balance and its ledger, paged")
def retrieve_balance(request: RetrieveBalanceRequest) -> RetrieveBalanceResponse:
    account = signed_account(router)
    data = billing.retrieve_balance(account, request.params)
    return RetrieveBalanceResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
