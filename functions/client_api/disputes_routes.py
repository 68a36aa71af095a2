"""Dispute calls of the signed client API (seed 已消耗的金额退款): contest charged items of a project; operators
review it (operator API) and may credit the balance."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.billing import disputes
from bytebridge.clock import now_ms
from bytebridge.dal.disputes import DisputeModel
from bytebridge.models.disputes_api import (
    DisputeInfo,
    FileDisputeRequest,
    FileDisputeResponse,
    ListDisputesData,
    ListDisputesRequest,
    ListDisputesResponse,
)
from client_api.signed import signed_account, signed_post

router = Router()


def dispute_info(dispute: DisputeModel) -> DisputeInfo:
    return DisputeInfo(
        dispute_id=dispute.dispute_id,
        project_id=dispute.project_id,
        item_ids=list(dispute.item_ids),
        reason=dispute.reason,
        status=dispute.status,
        disputed_cents=dispute.disputed_cents,
        credited_cents=dispute.credited_cents,
        decision_note=dispute.decision_note,
        created_at=dispute.created_at,
        decided_at=dispute.decided_at,
    )


@signed_post(router, "/api/v1/billing/fileDispute", FileDisputeResponse, "Dispute charged items of a project")
def file_dispute(request: FileDisputeRequest) -> FileDisputeResponse:
    account = signed_account(router)
    params = request.params
    dispute = disputes.file_dispute(account.user_id, params.project_id, params.item_ids, params.reason)
    return FileDisputeResponse(timestamp=now_ms(), user_id=account.user_id, data=dispute_info(dispute))


@signed_post(router, "/api/v1/billing/listDisputes", ListDisputesResponse, "The account's disputes, newest first")
def list_disputes(request: ListDisputesRequest) -> ListDisputesResponse:
    account = signed_account(router)
    found = [dispute_info(d) for d in disputes.list_disputes(account.user_id, request.params.project_id)]
    return ListDisputesResponse(timestamp=now_ms(), user_id=account.user_id, data=ListDisputesData(disputes=found))
