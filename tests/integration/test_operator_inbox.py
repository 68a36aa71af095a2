"""The operators' inbox (GET /operator/v1/inbox): threads whose latest client message the operators have not read,
newest first, with unread counts, from a sparse index of the threads table; reading to the end or replying takes a
thread out, a new client message puts it back; pages with a cursor; operators only."""

import pytest

from bytebridge import clock
from bytebridge.dal.messages import MessageThreadModel
from tests.support.client_api import project_with_resources, second_account
from tests.support.identity import gateway, sign_up_client, staff

OPS = "/operator/v1"
POST = "/api/v1/projects/messages"


@pytest.fixture
def ops(aws):
    return staff("ops@example.com")


def op(ops, method: str, path: str, body=None, token: str | None = None):
    return gateway(method, OPS + path, body, token=token or ops.id_token)


def say(api, project_id: str, text: str) -> None:
    out = api.call(POST, {"projectId": project_id, "text": text})
    assert out["code"] == 0, out


def inbox(ops, query: str = "") -> dict:
    code, body = op(ops, "GET", "/inbox" + query)
    assert code == 200, body
    return body


def test_unread_client_threads_newest_first_until_read_or_answered(api, ops):
    first, second, quiet = (project_with_resources(api, projectName=n) for n in ("first", "second", "quiet"))
    other = second_account()
    theirs = project_with_resources(other, projectName="theirs")
    say(api, first, "hello?")
    clock.advance(5)
    say(api, first, "anyone there?")
    clock.advance(5)
    say(other, theirs, "a question")
    clock.advance(5)
    say(api, second, "about the trial")
    gateway("POST", f"{OPS}/projects/{quiet}/messages", {"text": "operators wrote first"}, token=ops.id_token)

    threads = inbox(ops)["threads"]
    assert [(t["projectId"], t["unread"]) for t in threads] == [(second, 1), (theirs, 1), (first, 2)]
    assert threads[2]["name"] == "first" and threads[2]["lastText"] == "anyone there?"
    assert threads[2]["email"] == "client@example.com" and threads[1]["userId"] == other.user_id
    assert threads[0]["lastAt"] > threads[1]["lastAt"] > threads[2]["lastAt"]

    # Reading the thread takes it out; a reply does too.
    assert op(ops, "GET", f"/projects/{first}/messages")[0] == 200
    assert op(ops, "POST", f"/projects/{second}/messages", {"text": "soon"})[0] == 200
    assert [t["projectId"] for t in inbox(ops)["threads"]] == [theirs]

    # The client writes again: back in, on top, counting only what came after the operators' read mark.
    clock.advance(5)
    say(api, first, "one more thing")
    threads = inbox(ops)["threads"]
    assert [(t["projectId"], t["unread"]) for t in threads] == [(first, 1), (theirs, 1)]


def test_only_threads_waiting_are_in_the_index_and_pages_follow_the_cursor(api, ops):
    projects = [project_with_resources(api, projectName=f"p{n}") for n in range(5)]
    for n, project_id in enumerate(projects):
        clock.advance(1)
        say(api, project_id, f"message {n}")
    gateway("GET", f"{OPS}/projects/{projects[0]}/messages", token=ops.id_token)
    indexed = list(MessageThreadModel.inbox_index.query("unread"))
    assert sorted(t.project_id for t in indexed) == sorted(projects[1:])  # sparse: read threads leave the index

    seen, cursor, pages = [], None, 0
    while True:
        page = inbox(ops, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [t["projectId"] for t in page["threads"]]
        pages += 1
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == projects[:0:-1] and pages in (2, 3)  # newest first, no duplicates

    assert op(ops, "GET", "/inbox?cursor=bm9wZQ")[0] == 400
    assert op(ops, "GET", "/inbox?limit=0")[0] == 400
    assert op(ops, "GET", "/inbox?limit=x")[0] == 400


def test_the_inbox_is_for_operators_only(api, ops):
    client = sign_up_client("someone@example.com")
    assert op(ops, "GET", "/inbox", token=client.id_token)[0] == 403
    assert gateway("GET", OPS + "/inbox")[0] == 401
