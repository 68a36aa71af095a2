"""Notice templates: every kind renders in both languages (subject, text, HTML), with its values substituted,
escaped in the HTML, and an unsubscribe link only where one is given."""

import html as htmllib
import re

import pytest

from bytebridge.delivery.notices import KINDS, NON_ESSENTIAL, Kind, Language, render

NAME = 'Cats & <Dogs> "2026"'
VALUES = {
    "code": "482913",
    "project_name": NAME,
    "project_id": "p42",
    "reasons": ["flow_logic", "sensitive_content"],
    "note": "Question 3 <is> ambiguous",
    "answer": "Items 4 & 7 were relabeled",
    "count": 3,
    "deadline": 1_800_000_000_000,
    "purge_after": 1_800_000_000_000,
    "excerpt": "Please check <item> 12",
    "sender": "operator",
    "amount": "$50.00",
    "problem": "declined",
    "fix_url": "https://bytebridge.example/billing?fix=card",
    "user_id": "U_1",
    "payment_id": "pi_1",
    "number": "BB-000042",
    "link": "https://bytebridge.example/auth/v1/invoice?token=t",
    "dispute_id": "d1",
    "reason": "the boxes are right",
    "import_id": "m42",
    "source": "s3://client-photos/<cats>/",
    "listed": 1000,
    "added": 990,
    "duplicates": 7,
    "refused": 3,
}


def _values(kind: Kind) -> dict:
    return {name: VALUES[name] for name in KINDS[kind]} | (
        {"note": VALUES["note"]} if kind == "review_rejected" else {}
    )


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_in_both_languages(kind, language):
    values = _values(kind)
    subject, text, html = render(kind, language, **values)

    assert subject.strip() and text.strip() and html.strip()
    assert "\n" not in subject
    for part in (subject, text, html):
        assert not re.search(r"\$\{?[a-z_]+", part), part  # every placeholder substituted
    assert f'<html lang="{language}">' in html
    if "project_name" in values:
        assert NAME in text
        assert NAME not in html and "Cats &amp; &lt;Dogs&gt; &quot;2026&quot;" in html  # escaped
    if "code" in values:
        assert "482913" in subject and "482913" in text and "482913" in html
    for name in ("answer", "excerpt", "note"):
        if name in values:
            assert values[name] in text and htmllib.escape(values[name]) in html
    if "count" in values:
        assert "3" in subject
    if "purge_after" in values or "deadline" in values:
        assert "2027-01-15 08:00 UTC" in text
    assert "unsubscribe" not in text.lower() and "退订" not in text  # no link unless one is given


@pytest.mark.parametrize("language", list(Language))
def test_languages_differ_and_chinese_is_chinese(language):
    subject, text, _ = render(Kind.COMPLETED, language, project_name="x", project_id="p1")
    has_cjk = bool(re.search(r"[\u4e00-\u9fff]", subject + text))
    assert has_cjk is (language == Language.ZH)


def test_rejection_reasons_are_localized():
    _, en, _ = render(Kind.REVIEW_REJECTED, "en", project_name="x", project_id="p1", reasons=["flow_wording"])
    _, zh, _ = render(Kind.REVIEW_REJECTED, "zh", project_name="x", project_id="p1", reasons=["flow_wording"])
    assert "wording" in en and "任务流文字描述错误" in zh
    assert "\n\n\n" not in en  # the optional note left out drops its paragraph


def test_unsubscribe_link_in_both_parts_when_given():
    url = "https://api.example.com/auth/v1/unsubscribe?token=U_1.abc&x=1"
    _, text, html = render(Kind.PM_MESSAGE, "en", unsubscribe_url=url, **_values(Kind.PM_MESSAGE))
    assert url in text
    assert 'href="https://api.example.com/auth/v1/unsubscribe?token=U_1.abc&amp;x=1"' in html


def test_missing_value_unknown_kind_and_unknown_language():
    with pytest.raises(KeyError, match="code"):
        render(Kind.VERIFICATION, "en")
    with pytest.raises(ValueError):
        render("no_such_kind", "en")
    assert render(Kind.VERIFICATION, "fr", code="1") == render(Kind.VERIFICATION, "en", code="1")
    assert render(Kind.VERIFICATION, None, code="1") == render(Kind.VERIFICATION, "en", code="1")


def test_essential_and_non_essential_kinds():
    assert {Kind.PM_MESSAGE, Kind.TRIAL_DISPUTES_ANSWERED} == NON_ESSENTIAL
    for kind in (Kind.VERIFICATION, Kind.PASSWORD_RESET, Kind.REVIEW_REJECTED, Kind.RESULTS_READY):
        assert kind not in NON_ESSENTIAL


def test_the_status_and_delivery_subjects_keep_their_wording():
    about = {"project_name": "n", "project_id": "p1"}
    assert render(Kind.COMPLETED, "en", **about).subject == "[ByteBridge] Project completed: n"
    assert render(Kind.PROJECT_STARTED, "en", **about).subject == "[ByteBridge] Project inProgress: n"
    assert render(Kind.PAUSED_BY_SYSTEM, "en", **about).subject == "[ByteBridge] Project paused: n"
    ready = render(Kind.RESULTS_READY, "en", count=2, deadline=0, **about)
    assert ready.subject == "[ByteBridge] 2 result(s) ready: n" and "21 days" in ready.text
