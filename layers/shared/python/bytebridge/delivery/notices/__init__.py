"""E-mail notices: templates per kind × language (en, zh) rendered to text and HTML, sent through SES in the
account's language; non-essential kinds carry an unsubscribe link and respect the account's opt-out.

    render(kind, language, **values) -> Rendered(subject, text, html)
    send(kind, user_id, **values) -> bool          # to an account (language, address, opt-out from the account)
    send_to(email, kind, language, **values) -> str  # to an address (verification / reset codes, operators)
"""

from bytebridge.delivery.notices.mail import send, send_to
from bytebridge.delivery.notices.render import Rendered, render
from bytebridge.delivery.notices.templates import KINDS, NON_ESSENTIAL, REJECT_REASONS, Kind, Language
from bytebridge.delivery.notices.unsubscribe import InvalidToken, unsubscribe, unsubscribe_url

__all__ = [
    "KINDS",
    "NON_ESSENTIAL",
    "REJECT_REASONS",
    "InvalidToken",
    "Kind",
    "Language",
    "Rendered",
    "render",
    "send",
    "send_to",
    "unsubscribe",
    "unsubscribe_url",
]
