"""The operators' side of disputes of consumed items (operator API, /operator/v1/billing/disputes): the queue, and
decisions (bytebridge.billing.disputes: conditional, audited, idempotent) that the client is told of by e-mail,
once: a repeated decision changes nothing and mails nothing."""

from bytebridge.billing import disputes
from bytebridge.billing.invoice_pdf import money
from bytebridge.dal.disputes import DisputeModel
from bytebridge.dal.projects import find_project
from bytebridge.delivery import notices


def _row(dispute: DisputeModel) -> dict:
    return {
        "userId": dispute.user_id,
        "disputeId": dispute.dispute_id,
        "projectId": dispute.project_id,
        "itemIds": list(dispute.item_ids),
        "reason": dispute.reason,
        "status": dispute.status,
        "disputedCents": dispute.disputed_cents,
        "creditedCents": dispute.credited_cents,
        "decisionNote": dispute.decision_note,
        "decidedBy": dispute.decided_by,
        "createdAt": dispute.created_at,
        "decidedAt": dispute.decided_at,
    }


def queue() -> list[dict]:
    """Disputes to decide, oldest first."""
    return [_row(dispute) for dispute in disputes.queue()]


def _tell(kind: str, dispute: DisputeModel, **values: object) -> None:
    project = find_project(dispute.project_id)
    name = project.name if project is not None else dispute.project_id
    notices.send(
        kind, dispute.user_id, project_name=name, project_id=dispute.project_id, dispute_id=dispute.dispute_id, **values
    )


def accept(operator: str, user_id: str, dispute_id: str, amount_cents: int, note: str = "") -> dict:
    decision = disputes.accept(operator, user_id, dispute_id, amount_cents, note)
    if decision.changed:
        _tell("dispute_accepted", decision.dispute, amount=money(amount_cents), note=note)
    return {**_row(decision.dispute), "changed": decision.changed}


def reject(operator: str, user_id: str, dispute_id: str, reason: str) -> dict:
    decision = disputes.reject(operator, user_id, dispute_id, reason)
    if decision.changed:
        _tell("dispute_rejected", decision.dispute, reason=reason)
    return {**_row(decision.dispute), "changed": decision.changed}
