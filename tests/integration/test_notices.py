"""Notices through SES (read back from the local outbox): both parts, the account's language, mails to an address
before an account exists, and unsubscribing: a non-essential notice stops, an essential one still arrives."""

import json
from urllib.parse import parse_qs, urlsplit

from auth_api.handler import lambda_handler as auth_api_handler

from bytebridge import clock
from bytebridge.dal.accounts import get_account
from bytebridge.delivery import messages, notices
from bytebridge.delivery.notices import Kind
from infra.catalog import by_name
from local.emulator import LocalContext
from local.gateway import proxy_event
from local.outbox import sent_mails
from local.scheduler import run_scheduled
from tests.support.client_api import project_with_resources, second_account, set_account
from tests.support.delivery import sent_mail

OPERATOR = "operator@bytebridge.local"


def _unsubscribe_call(method: str, url: str) -> tuple[int, str]:
    """The unsubscribe link, followed through the auth API's own handler."""
    parts = urlsplit(url)
    event = proxy_event(method, f"{parts.path}?{parts.query}", {}, b"", "127.0.0.1")
    response = auth_api_handler(event, LocalContext("auth-api"))
    return response["statusCode"], response["body"]


def _operator_message_mailed(project_id: str) -> int:
    messages.post_message(project_id, "operator", OPERATOR, "We relabeled item 3.")
    clock.advance(601)
    result, failed = run_scheduled(by_name("notify-messages"))
    assert not failed, result
    return result["message_mails"]


def test_a_code_mail_before_the_account_exists(aws):
    message_id = notices.send_to("new@example.com", Kind.VERIFICATION, "zh", code="123456")
    (mail,) = sent_mail()
    assert mail.id == message_id and mail.to == ["new@example.com"] and mail.kind == "verification"
    assert "123456" in mail.subject and "123456" in mail.text and "123456" in mail.html
    assert "验证码" in mail.text and mail.html.startswith("<!DOCTYPE html>")
    assert "List-Unsubscribe" not in mail.headers and "unsubscribe" not in mail.text.lower()
    assert mail.at is not None and abs(mail.at - clock.now_ms()) < 5000
    outbox = sent_mails("NEW@example.com")  # what GET /local/outbox?to= answers, newest first
    assert [entry["subject"] for entry in outbox] == [mail.subject] and json.dumps(outbox)
    assert sent_mails("someone@else.example") == []


def test_an_account_is_mailed_in_its_language(api):
    assert notices.send(Kind.COMPLETED, api.user_id, project_name="n", project_id="p1")
    set_account(api, language="zh")
    assert notices.send(Kind.COMPLETED, api.user_id, project_name="n", project_id="p1")
    english, chinese = sent_mail()
    assert english.subject == "[ByteBridge] Project completed: n" and "项目已完成" in chinese.subject
    assert not notices.send(Kind.COMPLETED, "U_NOBODY", project_name="n", project_id="p1")


def test_unsubscribing_stops_non_essential_notices_only(api):
    project_id = project_with_resources(api)
    assert _operator_message_mailed(project_id) == 1
    (mail,) = sent_mail()
    link = mail.headers["List-Unsubscribe"].strip("<>")
    assert link in mail.text and link.replace("&", "&amp;") in mail.html

    status, page = _unsubscribe_call("GET", link)
    assert status == 200 and "unsubscribed" in page and "退订" in page
    assert get_account(api.user_id).notices_optional is False
    assert _unsubscribe_call("GET", link)[0] == 200  # following it again changes nothing

    assert _operator_message_mailed(project_id) == 0  # non-essential: no longer mailed
    assert len(sent_mail()) == 1
    assert (
        notices.send(Kind.TRIAL_DISPUTES_ANSWERED, api.user_id, project_name="n", project_id="p1", answer="ok") is False
    )
    assert notices.send(Kind.RESULTS_READY, api.user_id, project_name="n", project_id="p1", count=1, deadline=0)
    assert [m.kind for m in sent_mail()] == ["pm_message", "results_ready"]  # essential: still arrives


def test_one_click_unsubscribe_and_forged_links(api):
    other = second_account()
    link = notices.unsubscribe_url(api.user_id)
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert token.startswith(api.user_id + ".")

    forged = link.replace(api.user_id, other.user_id)  # someone else's id with this account's signature
    status, body = _unsubscribe_call("POST", forged)
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_token"
    assert _unsubscribe_call("GET", link.split("?")[0] + "?token=garbage")[0] == 400
    assert _unsubscribe_call("GET", link.split("?")[0])[0] == 400
    assert get_account(other.user_id).notices_optional is True

    status, body = _unsubscribe_call("POST", link)  # RFC 8058 one-click
    assert status == 200 and json.loads(body) == {"unsubscribed": True}
    assert get_account(api.user_id).notices_optional is False
    assert get_account(other.user_id).notices_optional is True
