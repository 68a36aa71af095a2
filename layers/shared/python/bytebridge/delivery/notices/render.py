"""Rendering a notice: subject, plain text and HTML from the kind's template in the account's language."""

import html
from datetime import UTC, datetime
from string import Template as Substitution
from typing import NamedTuple

from bytebridge.delivery.notices.templates import (
    FOOTER,
    KINDS,
    OPTIONAL_DEFAULTS,
    PAYMENT_PROBLEMS,
    REJECT_REASONS,
    SENDERS,
    TEMPLATES,
    UNSUBSCRIBE,
    Kind,
    Language,
)

EXCERPT_CHARS = 500


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str


def language_of(value: str | None) -> Language:
    """The account's language, English when unknown."""
    try:
        return Language(value or Language.EN)
    except ValueError:
        return Language.EN


def format_when(ms: int) -> str:
    return datetime.fromtimestamp(int(ms) / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _derived(kind: Kind, language: Language, values: dict) -> dict:
    """Values computed from the caller's: dates, localized reasons and senders, a bounded excerpt."""
    out = {**OPTIONAL_DEFAULTS, **values}
    if "deadline" in out:
        out["deadline_text"] = format_when(out["deadline"])
    if "purge_after" in out:
        out["purge_after_text"] = format_when(out["purge_after"])
    if "reasons" in out:
        sep = ";" if language is Language.ZH else "; "
        labels = [REJECT_REASONS.get(str(r), {}).get(language, str(r)) for r in out["reasons"]]
        out["reasons_text"] = sep.join(labels) or "-"
    if "problem" in out:
        out["problem_text"] = PAYMENT_PROBLEMS.get(str(out["problem"]), {}).get(language, str(out["problem"]))
    if "sender" in out:
        out["sender_text"] = SENDERS.get(str(out["sender"]), {}).get(language, str(out["sender"]))
    if "excerpt" in out:
        excerpt = " ".join(str(out["excerpt"]).split())
        out["excerpt"] = excerpt if len(excerpt) <= EXCERPT_CHARS else excerpt[: EXCERPT_CHARS - 1] + "…"
    return {key: str(value) for key, value in out.items() if not isinstance(value, list | tuple)}


def render(kind: str, language: str | None, *, unsubscribe_url: str | None = None, **values) -> Rendered:
    """The notice `kind` in `language` (en when unknown) with `values` substituted: subject, text and HTML (values
    escaped). KeyError if a value the kind needs is missing; ValueError for an unknown kind."""
    kind = Kind(kind)
    lang = language_of(language)
    missing = [name for name in KINDS[kind] if name not in values]
    if missing:
        raise KeyError(f"{kind}: missing {', '.join(missing)}")
    template = TEMPLATES[lang][kind]
    plain = _derived(kind, lang, values)
    escaped = {key: html.escape(value) for key, value in plain.items()}

    subject = " ".join(Substitution(template.subject).substitute(plain).split())
    paragraphs = [Substitution(p).substitute(plain).strip() for p in template.paragraphs]
    html_paragraphs = [Substitution(html.escape(p)).substitute(escaped).strip() for p in template.paragraphs]
    keep = [n for n, text in enumerate(paragraphs) if text]  # an optional value left empty drops its paragraph

    footer_lines = [FOOTER[lang]]
    body = "".join("<p>" + html_paragraphs[n].replace("\n", "<br>\n") + "</p>\n" for n in keep)
    footer = html.escape(FOOTER[lang])
    if unsubscribe_url:
        footer_lines.append(f"{UNSUBSCRIBE[lang]} {unsubscribe_url}")
        link = html.escape(unsubscribe_url, quote=True)
        footer += f'<br>\n{html.escape(UNSUBSCRIBE[lang])} <a href="{link}">{link}</a>'
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang.value}">\n<head><meta charset="utf-8"><title>{html.escape(subject)}'
        "</title></head>\n"
        "<body style=\"font-family: Arial, 'PingFang SC', 'Microsoft YaHei', sans-serif; font-size: 14px; "
        'color: #222; line-height: 1.5">\n'
        f"{body}"
        f'<hr style="border: none; border-top: 1px solid #ddd">\n<p style="font-size: 12px; color: #888">{footer}</p>\n'
        "</body>\n</html>\n"
    )
    text = "\n\n".join(paragraphs[n] for n in keep) + "\n\n-- \n" + "\n".join(footer_lines) + "\n"
    return Rendered(subject, text, page)
