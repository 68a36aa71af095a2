"""Project-manager messages: the signed calls (messages, listMessages), tenancy, unread counts on both sides, and
the quiet-period mail (one per quiet thread, sent by the scheduled notifier, in business time)."""

import pytest

from bytebridge import clock
from bytebridge.dal.items import ItemModel
from bytebridge.delivery import messages
from bytebridge.errors import ErrorCode
from bytebridge.settings import get_settings
from infra.catalog import by_name
from local.scheduler import run_scheduled
from tests.support.client_api import (
    assert_error,
    nothing_changes,
    project_with_resources,
    second_account,
    set_account,
)
from tests.support.delivery import sent_mail

POST = "/api/v1/projects/messages"
LIST = "/api/v1/projects/listMessages"
NOTIFIER = by_name("notify-messages")
OPERATOR = "operator@bytebridge.local"


def _notify() -> int:
    result, failed = run_scheduled(NOTIFIER)
    assert not failed, result
    return result["message_mails"]


def _post(api, project_id: str, text: str, **extra) -> dict:
    out = api.call(POST, {"projectId": project_id, "text": text, **extra})
    assert out["code"] == 0, out
    return out["data"]["message"]


def _list(api, project_id: str, **extra) -> dict:
    out = api.call(LIST, {"projectId": project_id, **extra})
    assert out["code"] == 0, out
    return out["data"]


def test_a_thread_between_client_and_operators_with_unread_counts(api):
    project_id = project_with_resources(api)
    first = _post(api, project_id, "  Is the cat/dog rule clear?  ")
    assert first["seq"] == 1 and first["sender"] == "client" and first["text"] == "Is the cat/dog rule clear?"
    _post(api, project_id, "Also: what about foxes?")
    assert messages.unread_counts(project_id) == {"client": 0, "operator": 2}

    reply = messages.post_message(project_id, "operator", OPERATOR, "Foxes are 'unknown'.")
    assert reply.seq == 3 and reply.author == OPERATOR
    assert messages.unread_counts(project_id) == {"client": 1, "operator": 0}  # answering reads the thread

    page = _list(api, project_id)
    assert [(m["seq"], m["sender"]) for m in page["messages"]] == [(1, "client"), (2, "client"), (3, "operator")]
    assert page["nextSince"] is None and page["unread"] == 0  # listing marks the page read
    assert "author" not in page["messages"][2]  # operators' addresses stay internal
    assert messages.unread_counts(project_id) == {"client": 0, "operator": 0}

    operator_page = messages.list_messages(project_id, since=2)
    assert [m.text for m in operator_page.messages] == ["Foxes are 'unknown'."]


def test_pages_newest_last_and_read_marks_follow_the_pages(api):
    project_id = project_with_resources(api)
    for n in range(5):
        messages.post_message(project_id, "operator", OPERATOR, f"note {n}")
    first = _list(api, project_id, limit=2)
    assert [m["text"] for m in first["messages"]] == ["note 0", "note 1"]
    assert first["nextSince"] == 2 and first["unread"] == 3
    second = _list(api, project_id, since=first["nextSince"], limit=2)
    assert [m["seq"] for m in second["messages"]] == [3, 4] and second["unread"] == 1
    last = _list(api, project_id, since=second["nextSince"], limit=2)
    assert [m["seq"] for m in last["messages"]] == [5] and last["nextSince"] is None and last["unread"] == 0
    messages.mark_read(project_id, "operator")
    assert messages.unread_counts(project_id) == {"client": 0, "operator": 0}


def test_an_item_reference_must_name_an_item_of_the_project(api):
    project_id = project_with_resources(api)
    item_id = next(iter(ItemModel.query(project_id))).item_id
    assert _post(api, project_id, "this one looks odd", itemId=item_id)["itemId"] == item_id
    out = api.call(POST, {"projectId": project_id, "text": "and this?", "itemId": "i_nope"})
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert_error(api.call(POST, {"projectId": project_id, "text": "   "}), ErrorCode.PARAMETER_INVALID, api)


def test_another_clients_project_is_not_found(api):
    project_id = project_with_resources(api)
    _post(api, project_id, "private")
    other = second_account()
    with nothing_changes():
        assert_error(other.call(POST, {"projectId": project_id, "text": "hello?"}), ErrorCode.PROJECT_NOT_FOUND, other)
    with nothing_changes():
        assert_error(other.call(LIST, {"projectId": project_id}), ErrorCode.PROJECT_NOT_FOUND, other)
    with pytest.raises(messages.MessageError):
        messages.post_message("p_missing", "operator", OPERATOR, "hello")


def test_two_messages_within_the_quiet_period_make_one_mail_after_it(api):
    project_id = project_with_resources(api)
    quiet = get_settings().message_quiet_seconds
    assert quiet == 600  # the default: 10 minutes
    _post(api, project_id, "first question")
    clock.advance(300)
    _post(api, project_id, "second question")  # restarts the quiet period
    clock.advance(quiet - 60)
    assert _notify() == 0 and sent_mail() == []  # 9 minutes after the last message: still quiet

    clock.advance(61)
    assert _notify() == 1
    assert _notify() == 0  # a second run finds nothing
    (mail,) = sent_mail()
    assert mail.to == [get_settings().operators_email] and mail.kind == "pm_message"
    assert "2 new message(s)" in mail.subject and "second question" in mail.body
    assert "List-Unsubscribe" not in mail.headers  # the operators' mailbox has nothing to unsubscribe from

    # The operators answer; the client is mailed once, in its language, with an unsubscribe link.
    set_account(api, language="zh")
    messages.post_message(project_id, "operator", OPERATOR, "Foxes count as unknown.")
    clock.advance(quiet + 1)
    assert _notify() == 1
    reply = sent_mail()[-1]
    assert reply.to == ["client@example.com"] and "1 条新消息" in reply.subject
    assert "Foxes count as unknown." in reply.body and "Foxes count as unknown." in reply.html
    assert "/auth/v1/unsubscribe?token=" in reply.body
    assert reply.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_deleted_projects_thread_mails_nothing(api):
    from bytebridge.enums import ProjectStatus
    from tests.support.client_api import set_status

    project_id = project_with_resources(api)
    _post(api, project_id, "hello")
    set_status(api, project_id, ProjectStatus.DELETED)
    clock.advance(601)
    assert _notify() == 0 and sent_mail() == []
    assert _notify() == 0  # settled, out of the index
