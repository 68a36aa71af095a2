"""Account lookup for operators (GET /operator/v1/accounts?email=… or ?userId=…): when it was made, its balance,
its saved card (brand and last 4 only), its newest projects; never an API or webhook secret; audited as a read;
operators only."""

import json

import pytest

from bytebridge.dal.accounts import set_card
from tests.support.client_api import TEST_BONUS_CENTS, project_with_resources
from tests.support.identity import gateway, sign_up_client, staff

OPS = "/operator/v1"


@pytest.fixture
def ops(aws):
    return staff("ops@example.com")


def op(ops, path: str, token: str | None = None):
    return gateway("GET", OPS + path, token=token or ops.id_token)


def test_by_email_or_user_id_with_balance_card_and_projects_never_secrets(api, ops, account):
    names = [f"project {n}" for n in range(3)]
    for name in names:
        project_with_resources(api, projectName=name)
    set_card(api.user_id, "pm_card_secretish", "visa", "4242")

    code, found = op(ops, "/accounts?email=Client@Example.com")
    assert code == 200, found
    assert found["userId"] == api.user_id and found["email"] == "client@example.com"
    assert found["balance"]["availableCents"] == TEST_BONUS_CENTS and found["balance"]["receivableCents"] == 0
    assert found["card"] == {"brand": "visa", "last4": "4242"}
    assert [p["name"] for p in found["projects"]] == names[::-1]  # newest first
    assert found["projectsCreated"] == 3 and found["moreProjects"] is False
    assert found["createdAt"] > 0

    raw = json.dumps(found)
    _, secret = account
    assert secret not in raw and "pm_card_secretish" not in raw and "secrets" not in raw

    code, same = op(ops, f"/accounts?userId={api.user_id}")
    assert code == 200 and same["userId"] == api.user_id and same["card"]["last4"] == "4242"

    _, log = op(ops, "/audit")
    lookups = [e for e in log["entries"] if e["action"] == "account.lookup"]
    assert [(e["target"], e["details"]["by"], e["operator"]) for e in lookups] == [
        (api.user_id, "email", "ops@example.com"),
        (api.user_id, "userId", "ops@example.com"),
    ]


def test_unknown_or_ambiguous_lookups_and_non_operators_are_refused(api, ops):
    code, body = op(ops, "/accounts?email=nobody@example.com")
    assert (code, body["error"]["code"]) == (404, "not_found"), body
    assert op(ops, "/accounts?userId=U_nope")[0] == 404
    assert op(ops, "/accounts")[0] == 400
    assert op(ops, f"/accounts?email=client@example.com&userId={api.user_id}")[0] == 400
    client = sign_up_client("someone@example.com")
    assert op(ops, f"/accounts?userId={api.user_id}", token=client.id_token)[0] == 403
    assert gateway("GET", f"{OPS}/accounts?userId={api.user_id}")[0] == 401
    assert not [e for e in op(ops, "/audit")[1]["entries"] if e["action"] == "account.lookup"]  # nothing read
