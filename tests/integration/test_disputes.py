"""Disputes of consumed amounts (issue 11, seed 已消耗的金额退款): the client files one against charged items of its
own project; an operator accepts it (the amount, at most what the items cost, goes back to the payment that paid
for them: refundable again) or rejects it with a reason; the client is mailed either way; decisions are audited
and idempotent; items are disputed once, and only the signer's own charged items."""

import pytest

from bytebridge.billing import ledger
from bytebridge.dal import disputes as dispute_rows
from bytebridge.dal.ledger import all_postings
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.logic.accounts import create_account
from tests.support.client import ClientApi
from tests.support.client_api import (
    SUBMIT,
    assert_error,
    create_project,
    nothing_changes,
    second_account,
    set_status,
)
from tests.support.delivery import sent_mail
from tests.support.engine import completed, items_of, running_project, work_until, workers
from tests.support.identity import gateway, staff

FILE = "/api/v1/billing/fileDispute"
LIST = "/api/v1/billing/listDisputes"
OPS = "/operator/v1/billing/disputes"
PAYMENT = "pi_dispute_test"
LABELS = ["cat", "dog", "cat", "dog"]


@pytest.fixture
def ops(aws):
    return staff("ops@example.com")


def op(ops, method: str, path: str, body=None):
    return gateway(method, OPS + path, body, token=ops.id_token)


@pytest.fixture
def carded(aws) -> ClientApi:
    """An account whose balance is one card payment (no bonus): what its projects use is refundable money."""
    api = ClientApi(*create_account("payer@example.com", card_bound=True))
    ledger.top_up(api.user_id, PAYMENT, 5000, key="test-top-up")
    return api


@pytest.fixture
def labeled(carded) -> str:
    project_id = running_project(carded, LABELS)
    work_until(completed(carded, project_id), workers(4))
    return project_id


def _file(api: ClientApi, project_id: str, item_ids: list[str], reason: str = "the boxes miss the cats") -> dict:
    return api.call(FILE, {"projectId": project_id, "itemIds": item_ids, "reason": reason})


def _mails(kind: str) -> list:
    return [mail for mail in sent_mail() if mail.kind == kind]


def _audit(ops) -> list[dict]:
    status, out = gateway("GET", "/operator/v1/audit", token=ops.id_token)
    assert status == 200, out
    return [entry for entry in out["entries"] if entry["action"].startswith("dispute.")]


def test_an_accepted_dispute_credits_the_balance_refundably_once(carded, labeled, ops):
    cats = [item for item in items_of(labeled) if "/cat/" in item.url]
    charged = sum(item.cost_cents for item in cats)
    refundable_before = ledger.balance(carded.user_id).refundable_by_payment.get(PAYMENT, 0)
    charge_before = ledger.project_charge(carded.user_id, labeled)

    out = _file(carded, labeled, [item.item_id for item in cats])
    assert out["code"] == 0, out
    dispute = out["data"]
    assert _file(carded, labeled, [item.item_id for item in cats])["data"] == dispute  # a retried call: the same
    assert (dispute["status"], dispute["disputedCents"], dispute["creditedCents"]) == ("open", charged, None)
    listed = carded.call(LIST, {"projectId": labeled})["data"]["disputes"]
    assert [d["disputeId"] for d in listed] == [dispute["disputeId"]]
    status, queue = op(ops, "GET", "")
    assert status == 200 and [d["disputeId"] for d in queue["disputes"]] == [dispute["disputeId"]]

    path = f"/{carded.user_id}/{dispute['disputeId']}/accept"
    status, too_much = op(ops, "POST", path, {"amountCents": charged + 1})
    assert status == 400, too_much
    amount = charged - 1
    status, accepted = op(ops, "POST", path, {"amountCents": amount, "note": "re-checked"})
    assert status == 200 and accepted["status"] == "accepted" and accepted["changed"] is True, accepted

    balance = ledger.balance(carded.user_id)
    assert balance.refundable_by_payment[PAYMENT] == refundable_before + amount  # back to the payment that paid
    assert ledger.project_charge(carded.user_id, labeled) == charge_before - amount
    ledger.refund(carded.user_id, PAYMENT, balance.refundable_by_payment[PAYMENT], refund_id="r-after-dispute")
    assert ledger.balance(carded.user_id).refundable_by_payment.get(PAYMENT, 0) == 0

    # Idempotent: the same decision again credits, audits and mails nothing more; another decision is refused.
    postings = len(all_postings(carded.user_id))
    status, again = op(ops, "POST", path, {"amountCents": amount})
    assert status == 200 and again["changed"] is False
    assert op(ops, "POST", path, {"amountCents": amount - 1})[0] == 409
    assert op(ops, "POST", f"/{carded.user_id}/{dispute['disputeId']}/reject", {"reason": "no"})[0] == 409
    assert len(all_postings(carded.user_id)) == postings
    [mail] = _mails("dispute_accepted")
    assert dispute["disputeId"] in mail.subject and f"${amount // 100}.{amount % 100:02d}" in mail.body
    [entry] = _audit(ops)
    assert (entry["action"], entry["operator"], entry["target"]) == ("dispute.accept", "ops@example.com", labeled)
    assert entry["details"]["amountCents"] == amount
    assert op(ops, "GET", "")[1]["disputes"] == []  # decided: out of the queue
    [row] = carded.call(LIST, {})["data"]["disputes"]
    assert (row["status"], row["creditedCents"], row["decisionNote"]) == ("accepted", amount, "re-checked")

    # Its items are disputed once.
    assert_error(_file(carded, labeled, [cats[0].item_id]), ErrorCode.PARAMETER_INVALID, carded)


def test_a_rejected_dispute_tells_the_client_why_and_credits_nothing(carded, labeled, ops):
    item = items_of(labeled)[0]
    dispute = _file(carded, labeled, [item.item_id])["data"]
    before = ledger.accounts(carded.user_id)
    path = f"/{carded.user_id}/{dispute['disputeId']}/reject"

    assert op(ops, "POST", path, {"reason": "  "})[0] == 400
    status, rejected = op(ops, "POST", path, {"reason": "the result matches the instruction"})
    assert status == 200 and (rejected["status"], rejected["changed"]) == ("rejected", True), rejected
    status, again = op(ops, "POST", path, {"reason": "the result matches the instruction"})
    assert status == 200 and again["changed"] is False
    assert op(ops, "POST", f"/{carded.user_id}/{dispute['disputeId']}/accept", {"amountCents": 1})[0] == 409

    assert ledger.accounts(carded.user_id) == before
    [mail] = _mails("dispute_rejected")
    assert "the result matches the instruction" in mail.body
    assert [entry["action"] for entry in _audit(ops)] == ["dispute.reject"]
    assert carded.call(LIST, {})["data"]["disputes"][0]["status"] == "rejected"


def test_only_the_signers_charged_items_can_be_disputed(carded, labeled, ops):
    other = second_account()
    item_ids = [item.item_id for item in items_of(labeled)]
    uncharged = create_project(carded, projectName="never run")
    urls = ["https://files.example.com/a.jpg"]
    assert carded.call(SUBMIT, {"projectId": uncharged, "resourceType": "image", "resourceURLs": urls})["code"] == 0
    draft_item = items_of(uncharged)[0].item_id

    refused = [
        (other, labeled, item_ids[:1], "why", ErrorCode.PROJECT_NOT_FOUND),  # another tenant's project
        (carded, uncharged, [draft_item], "why", ErrorCode.PARAMETER_INVALID),  # never labeled, never charged
        (carded, uncharged, item_ids[:1], "why", ErrorCode.PARAMETER_INVALID),  # an item of another project
        (carded, labeled, ["i-no-such-item"], "why", ErrorCode.PARAMETER_INVALID),
        (carded, labeled, item_ids[:1], "", ErrorCode.PARAMETER_INVALID),
        (carded, labeled, [], "why", ErrorCode.PARAMETER_INVALID),
    ]
    for caller, project_id, items, reason, code in refused:
        with nothing_changes():
            assert_error(_file(caller, project_id, items, reason), code, caller)
    assert other.call(LIST, {})["data"]["disputes"] == []
    assert_error(other.call(LIST, {"projectId": labeled}), ErrorCode.PROJECT_NOT_FOUND, other)

    # Another tenant's operator path names the account: a dispute id of one account is not found under another.
    dispute = _file(carded, labeled, item_ids[:1])["data"]
    assert op(ops, "POST", f"/{other.user_id}/{dispute['disputeId']}/accept", {"amountCents": 1})[0] == 404
    # Clients are not operators.
    client_user = staff("client-not-op@example.com", group="clients")
    status, _ = gateway("GET", OPS, token=client_user.id_token)
    assert status == 403


def test_a_dispute_claims_its_items_in_chunks_and_gives_them_back_when_it_loses(carded, aws):
    """More items than one DynamoDB transaction holds; a filing that meets an item claimed meanwhile writes
    nothing (no row, no claim left behind)."""
    project_id = create_project(carded, projectName="many")
    set_status(carded, project_id, ProjectStatus.COMPLETED)
    ids = [f"i{n:05d}" for n in range(300)]
    first = dispute_rows.DisputeModel(
        carded.user_id, "d1", project_id=project_id, item_ids=ids[:200], reason="r", created_at=1
    )
    assert dispute_rows.file(first) and first.status == dispute_rows.OPEN
    assert dispute_rows.disputed_items(project_id, ids) == dict.fromkeys(ids[:200], "d1")
    losing = dispute_rows.DisputeModel(
        carded.user_id, "d2", project_id=project_id, item_ids=ids[200:299] + ids[:10], reason="r", created_at=2
    )  # its first transaction (99 free items) goes through, its second meets d1's claims
    assert not dispute_rows.file(losing)
    assert dispute_rows.get_dispute(carded.user_id, "d2") is None
    assert dispute_rows.disputed_items(project_id, ids) == dict.fromkeys(ids[:200], "d1")
