"""The webhook secret callbacks are signed with: read and rotated by the signed-in client through the account API
(/account/v1), never answered by the signed API or logged; after a rotation the old secret signs beside the new one
(two `v1=` entries) for 24 hours, then only the new one does."""

import json
import logging

import pytest

from bytebridge import clock
from bytebridge.dal.accounts import get_account
from bytebridge.delivery.callbacks import SECRET_OVERLAP_MS, previous_secret_until
from local.gateway import dispatch
from local.platform import LOCAL_GET_ROUTES, LOCAL_ROUTES
from local.scheduler import drain
from tests.support.callback_receiver import Receiver, verify
from tests.support.client import ClientApi
from tests.support.delivery import SET_CALLBACK, delivered_project
from tests.support.identity import SignedIn, gateway, sign_up_client
from tests.support.timing import advance_past

from .test_callbacks import CALLBACKS

EMAIL = "hooks@example.com"
SECRET_PATH = "/account/v1/webhookSecret"
ROTATE_PATH = "/account/v1/webhookSecret/rotate"


@pytest.fixture
def client(aws) -> tuple[SignedIn, ClientApi]:
    """A client signed up through /auth/v1 (for the account API) and its signed-API credentials."""
    signed_in = sign_up_client(EMAIL)
    status, keys = gateway("GET", "/account/v1/apiKeys", token=signed_in.id_token)
    assert status == 200, keys
    return signed_in, ClientApi(signed_in.user_id, keys["keys"][0]["secretKey"])


def _secret(token: str) -> dict:
    status, headers, body = dispatch(
        "GET", SECRET_PATH, {"Authorization": f"Bearer {token}"}, b"", "127.0.0.1", LOCAL_ROUTES, LOCAL_GET_ROUTES
    )
    assert status == 200, body
    assert {k.lower(): v for k, v in headers.items()}.get("cache-control") == "no-store"
    return json.loads(body)


def _rotate(token: str) -> dict:
    status, body = gateway("POST", ROTATE_PATH, token=token)
    assert status == 200, body
    return body


def _one_callback(api: ClientApi, project_id: str, item_id: str, receiver: Receiver):
    from bytebridge.delivery import events

    before = len(receiver.received)
    events.on_item_finished(project_id, item_id)
    assert drain(CALLBACKS) == 1
    assert len(receiver.received) == before + 1
    return receiver.received[-1]


def _v1_count(post) -> int:
    return sum(1 for part in post.headers["ByteBridge-Signature"].split(",") if part.startswith("v1="))


def test_the_secret_is_read_signed_in_and_is_stable(client):
    signed_in, api = client
    first = _secret(signed_in.id_token)
    assert first["secret"].startswith("whsec_") and first["secret"] != api.secret
    assert first["previousExpiresAt"] is None
    assert _secret(signed_in.id_token) == first  # made once, on first use


def test_the_account_api_needs_a_client_token(client):
    assert gateway("GET", SECRET_PATH)[0] == 401
    assert gateway("POST", ROTATE_PATH)[0] == 401
    assert gateway("GET", SECRET_PATH, token="not-a-token")[0] == 401


def test_rotation_signs_with_both_secrets_for_24_hours_then_only_the_new_one(client):
    signed_in, api = client
    project_id, items = delivered_project(api, 1)
    old = _secret(signed_in.id_token)["secret"]
    with Receiver(api.user_id, old) as receiver:
        assert api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url})["code"] == 0
        before = _one_callback(api, project_id, items[0].item_id, receiver)
        assert _v1_count(before) == 1 and before.signature_ok

        rotated = _rotate(signed_in.id_token)
        new = rotated["secret"]
        assert new.startswith("whsec_") and new != old
        assert rotated["previousExpiresAt"] == pytest.approx(clock.now_ms() + SECRET_OVERLAP_MS, abs=5_000)
        assert _secret(signed_in.id_token) == rotated

        during = _one_callback(api, project_id, items[0].item_id, receiver)
        assert _v1_count(during) == 2
        event_id = during.headers["ByteBridge-Event-Id"]
        assert verify(old, event_id, during.body, during.headers)  # receivers not yet switched keep working
        assert verify(new, event_id, during.body, during.headers)
        assert not verify(api.secret, event_id, during.body, during.headers)

        advance_past(rotated["previousExpiresAt"])  # (ID tokens last an hour: the account API is not asked again)
        after = _one_callback(api, project_id, items[0].item_id, receiver)
        assert _v1_count(after) == 1
        event_id = after.headers["ByteBridge-Event-Id"]
        assert verify(new, event_id, after.body, after.headers)
        assert not verify(old, event_id, after.body, after.headers)
    account = get_account(api.user_id)
    assert account is not None and previous_secret_until(account, clock.now_ms()) is None


def test_a_second_rotation_ends_the_first_secrets_overlap(client):
    signed_in, api = client
    project_id, items = delivered_project(api, 1)
    first = _secret(signed_in.id_token)["secret"]
    second = _rotate(signed_in.id_token)["secret"]
    clock.advance(60)
    third = _rotate(signed_in.id_token)["secret"]
    assert len({first, second, third}) == 3
    with Receiver(api.user_id, third) as receiver:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url})
        post = _one_callback(api, project_id, items[0].item_id, receiver)
    event_id = post.headers["ByteBridge-Event-Id"]
    assert _v1_count(post) == 2
    assert verify(third, event_id, post.body, post.headers) and verify(second, event_id, post.body, post.headers)
    assert not verify(first, event_id, post.body, post.headers)


def test_the_secret_is_never_in_signed_api_answers_or_logs(client, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    signed_in, api = client
    project_id, items = delivered_project(api, 1)
    secret = _secret(signed_in.id_token)["secret"]
    answers = []
    with Receiver(api.user_id, secret, statuses=[500]) as receiver:
        answers.append(api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url}))
        answers.append(api.call("/api/v1/projects/pingCallback", {"projectId": project_id}))
        drain(CALLBACKS)  # the ping: a failed attempt, then a delivered retry
        listing = api.call("/api/v1/projects/listCallbackDeliveries", {"projectId": project_id})
        answers.append(listing)
        event_id = listing["data"]["deliveries"][0]["eventId"]
        answers.append(api.call("/api/v1/projects/redeliverCallback", {"projectId": project_id, "eventId": event_id}))
        drain(CALLBACKS)
        rotated = _rotate(signed_in.id_token)["secret"]
        _one_callback(api, project_id, items[0].item_id, receiver)
    assert all(answer["code"] == 0 for answer in answers), answers
    assert all(post.signature_ok for post in receiver.received)
    said = json.dumps(answers) + caplog.text + "".join(capsys.readouterr())
    assert secret not in said and rotated not in said
    assert "whsec_" not in said
