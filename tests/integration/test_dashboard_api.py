"""The dashboard API (/dashboard/v1) through the local gateway, as the browser calls it: a Cognito ID token instead
of a signature, the signed API's calls and envelopes otherwise; tenancy, userId checks, concurrent callers, and
the signed API never taking a token (or a JWT-authenticated account) in place of a signature."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from client_api.signed import signed_in_as

from bytebridge.dal.accounts import get_account
from bytebridge.errors import ErrorCode
from bytebridge.identity import CLIENTS
from bytebridge.logic.accounts import account_of
from local.emulator import LocalContext
from local.gateway import dispatch, proxy_event
from tests.support.client import ClientApi
from tests.support.client_api import SAMPLE_CREATE, SAMPLE_URLS, assert_error, params
from tests.support.identity import SignedIn, gateway, sign_up_client, staff

UNAUTHENTICATED = 401, "unauthenticated"


def dash(client: SignedIn, path: str, call_params: dict | None = None, **body) -> dict:
    """One dashboard call (HTTP 200 expected); its envelope."""
    status, out = gateway("POST", f"/dashboard/v1{path}", {"params": call_params or {}, **body}, token=client.id_token)
    assert status == 200, out
    return out


def signed(client: SignedIn) -> ClientApi:
    """The same account through the signed API, with the secret the account API shows."""
    status, keys = gateway("GET", "/account/v1/apiKeys", token=client.id_token)
    assert status == 200, keys
    return ClientApi(keys["userId"], keys["keys"][0]["secretKey"])


def comparable(envelope: dict) -> dict:
    return {key: value for key, value in envelope.items() if key != "timestamp"}


@pytest.fixture
def alice(aws) -> SignedIn:
    return sign_up_client("alice@example.com")


@pytest.fixture
def bob(aws) -> SignedIn:
    return sign_up_client("bob@example.com")


def test_calls_answer_what_the_signed_api_answers(alice):
    created = dash(alice, "/projects", params(SAMPLE_CREATE))
    assert created["code"] == 0 and created["userId"] == alice.user_id, created
    project_id = created["data"]["projectId"]
    submitted = dash(
        alice,
        "/projects/submitResource",
        {"projectId": project_id, "resourceType": "image", "resourceURLs": SAMPLE_URLS},
    )
    assert submitted["code"] == 0, submitted
    api = signed(alice)

    for path, call_params in (
        ("/projects/retrieveProject", {"projectId": project_id}),
        ("/projects/listProjects", {"pageSize": 5}),
        ("/billing/retrieveBalance", {}),
        ("/projects/retrieveProject", {"projectId": "p1_nobody"}),  # code 8 alike
        ("/projects/retrieveProject", {}),  # code 2 alike
    ):
        by_token = dash(alice, path, call_params)
        by_signature = api.call(f"/api/v1{path}", call_params)
        assert comparable(by_token) == comparable(by_signature), path
    assert (
        dash(alice, "/projects/retrieveProject", {"projectId": project_id})["data"]["projectData"][
            "projectItemQuantity"
        ]
        == 2
    )


def test_a_body_naming_the_own_account_is_accepted_another_refused_with_code_5(alice, bob):
    own = dash(alice, "/billing/retrieveBalance", userId=alice.user_id)
    assert own["code"] == 0 and own["userId"] == alice.user_id

    other = dash(alice, "/billing/retrieveBalance", userId=bob.user_id)
    assert_error(other, ErrorCode.PERMISSION_DENIED)
    assert other["userId"] == alice.user_id and "data" not in other


def test_another_accounts_project_is_not_found_and_never_listed(alice, bob):
    project_id = dash(alice, "/projects", params(SAMPLE_CREATE))["data"]["projectId"]

    for path in ("/projects/retrieveProject", "/projects/setProject"):
        out = dash(bob, path, {"projectId": project_id, "instruction": "mine now"})
        assert_error(out, ErrorCode.PROJECT_NOT_FOUND)
    assert dash(bob, "/projects/listProjects")["data"]["projects"] == []
    (listed,) = dash(alice, "/projects/listProjects")["data"]["projects"]
    assert listed["projectId"] == project_id and listed["status"] == "draft"


def test_without_a_valid_client_token_the_answer_is_401_or_403(alice):
    body: dict = {"params": {}}
    assert_401 = [
        gateway("POST", "/dashboard/v1/billing/retrieveBalance", body),
        gateway("POST", "/dashboard/v1/billing/retrieveBalance", body, token="not.a.token"),
        gateway("POST", "/dashboard/v1/billing/retrieveBalance", body, token=alice.access_token),  # not an ID token
        gateway("GET", "/dashboard/v1/prices"),
    ]
    for status, out in assert_401:
        assert (status, out["error"]["code"]) == UNAUTHENTICATED, out

    operator = staff("ops@example.com")
    status, out = gateway("POST", "/dashboard/v1/billing/retrieveBalance", body, token=operator.id_token)
    assert (status, out["error"]["code"]) == (403, "forbidden")

    accountless = staff("no.account@example.com", group=CLIENTS)  # in the group, but no ByteBridge account
    status, out = gateway("POST", "/dashboard/v1/billing/retrieveBalance", body, token=accountless.id_token)
    assert (status, out["error"]["code"]) == (404, "no_account")


def test_unknown_calls_unreadable_bodies_and_the_documents(alice):
    assert_error(dash(alice, "/projects/noSuchCall"), ErrorCode.URL_INVALID)
    for raw, code in ((b"not json", ErrorCode.JSON_PARSE_FAILED), (b"[1, 2]", ErrorCode.PARAMETER_INVALID)):
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {alice.id_token}"}
        status, _, out = dispatch("POST", "/dashboard/v1/billing/retrieveBalance", headers, raw)
        assert status == 200 and json.loads(out)["code"] == code, out

    for document in ("prices", "flow-schema.json", "openapi.json"):
        status, by_token = gateway("GET", f"/dashboard/v1/{document}", token=alice.id_token)
        assert status == 200, by_token
        assert comparable(by_token) == comparable(gateway("GET", f"/api/v1/{document}")[1]), document
    assert (
        "/api/v1/projects/listProjects"
        in gateway("GET", "/dashboard/v1/openapi.json", token=alice.id_token)[1]["paths"]
    )


def test_the_signed_api_never_takes_a_token_or_a_dashboard_account(alice):
    body = json.dumps({"userId": alice.user_id, "params": {}})
    status, out = gateway("POST", "/api/v1/billing/retrieveBalance", json.loads(body), token=alice.id_token)
    assert status == 200 and out["code"] != 0 and "data" not in out, out

    # Even on a thread that is serving a dashboard request, the signed API's entry point checks the signature.
    from client_api.handler import lambda_handler

    unsigned = proxy_event(
        "POST", "/api/v1/billing/retrieveBalance", {"Content-Type": "application/json"}, body.encode(), "127.0.0.1"
    )
    baseline = json.loads(lambda_handler(unsigned, LocalContext("client-api"))["body"])
    with signed_in_as(account_of(alice.user_id)):
        response = lambda_handler(unsigned, LocalContext("client-api"))
    refused = json.loads(response["body"])
    assert refused["code"] != 0 and "data" not in refused, refused
    assert comparable(refused) == comparable(baseline)  # the signature's verdict, as for anyone
    assert comparable(out) == comparable(baseline)


def test_concurrent_callers_of_two_accounts_get_their_own_data(alice, bob):
    owned = {
        alice.user_id: {
            dash(alice, "/projects", params(SAMPLE_CREATE, projectName=f"a{n}"))["data"]["projectId"] for n in range(3)
        },
        bob.user_id: {
            dash(bob, "/projects", params(SAMPLE_CREATE, projectName=f"b{n}"))["data"]["projectId"] for n in range(2)
        },
    }

    def listing(client: SignedIn) -> tuple[str | None, str, set[str]]:
        out = dash(client, "/projects/listProjects", {"pageSize": 10})
        assert out["code"] == 0, out
        return client.user_id, out["userId"], {entry["projectId"] for entry in out["data"]["projects"]}

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(listing, [alice, bob] * 15))

    assert len(results) == 30
    for caller, answered_for, projects in results:
        assert answered_for == caller and projects == owned[caller]


def test_the_account_remembers_the_dashboard_language(alice):
    status, me = gateway("PATCH", "/account/v1/me", {"language": "zh"}, token=alice.id_token)
    assert (status, me["language"]) == (200, "zh")
    assert gateway("GET", "/account/v1/me", token=alice.id_token)[1]["language"] == "zh"
    stored = get_account(str(alice.user_id))
    assert stored is not None and stored.language == "zh"
