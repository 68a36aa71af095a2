"""Sending notices through SES: one MIME message (multipart/alternative: text and HTML) per notice, from the
platform's verified sender, in the recipient account's language. Non-essential notices honour the account's
opt-out and carry an unsubscribe link, in the body and as List-Unsubscribe / List-Unsubscribe-Post headers
(RFC 2369, RFC 8058 one-click), which is why the mail is sent raw: SES's simple send_email cannot set headers.
"""

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import get_account
from bytebridge.delivery.notices.render import Rendered, render
from bytebridge.delivery.notices.templates import NON_ESSENTIAL, Kind
from bytebridge.delivery.notices.unsubscribe import unsubscribe_url
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)

KIND_HEADER = "X-ByteBridge-Notice"


def _mime(to: str, kind: Kind, rendered: Rendered, unsubscribe: str | None) -> EmailMessage:
    sender = get_settings().notify_from
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(datetime.fromtimestamp(now_ms() / 1000, UTC))
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message[KIND_HEADER] = kind.value
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def _send(to: str, kind: Kind, rendered: Rendered, unsubscribe: str | None = None) -> str:
    message = _mime(to, kind, rendered, unsubscribe)
    out = client("ses").send_raw_email(Source=get_settings().notify_from, RawMessage={"Data": message.as_bytes()})
    log.info("notice sent", extra={"kind": kind.value, "messageId": out["MessageId"]})  # never the codes
    return out["MessageId"]


def send_to(email: str, kind: str, language: str | None, **values) -> str:
    """Mail the notice `kind` to `email` in `language` (for mails before an account exists: verification and
    password-reset codes, or the operators' mailbox). No opt-out applies; returns the SES message id."""
    kind = Kind(kind)
    return _send(email, kind, render(kind, language, **values))


def send(kind: str, user_id: str, **values) -> bool:
    """Mail the notice `kind` to the account `user_id`, in its language. False if nothing was sent: no such
    account, no address, or a non-essential notice the account opted out of."""
    kind = Kind(kind)
    account = get_account(user_id)
    if account is None or not account.email:
        return False
    link = None
    if kind in NON_ESSENTIAL:
        if not account.notices_optional:
            return False
        link = unsubscribe_url(user_id)
    _send(account.email, kind, render(kind, account.language, unsubscribe_url=link, **values), link)
    return True
