"""The mails the emulated SES accepted, readable (local runtime and tests only; never deployed).

Notices are sent raw (MIME, text + HTML: bytebridge.delivery.notices.mail); moto keeps them as RawMessage. This
parses them back into (to, subject, text, html, at, kind); a mail sent with SES's simple send_email (moto's
Message) is read too. GET /local/outbox serves `sent_mails(to)` (JSON-ready dicts, newest first); tests read
`parsed_mails()` (SentMail objects, oldest first).
"""

from dataclasses import asdict, dataclass, field
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends

from bytebridge.settings import get_settings

KIND_HEADER = "X-ByteBridge-Notice"  # as bytebridge.delivery.notices.mail sets it


@dataclass
class SentMail:
    id: str
    source: str
    to: list[str]
    subject: str
    text: str
    html: str
    at: int | None  # epoch ms (the mail's Date header: business time)
    kind: str | None = None  # the notice kind, for mails sent as notices
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> str:
        """The plain-text part (what a simple send_email's body was)."""
        return self.text or self.html

    @property
    def destinations(self) -> dict[str, list[str]]:
        return {"ToAddresses": self.to}

    def as_json(self) -> dict:
        out = asdict(self)
        out.pop("headers")
        return out


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    return str(part.get_content()) if part is not None and part.get_content_subtype() == subtype else ""


def _parse(sent) -> SentMail:
    if isinstance(sent, RawMessage):
        message = message_from_string(sent.raw_data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        to = [address for _, address in getaddresses(message.get_all("To", []))]
        date = message["Date"]
        return SentMail(
            id=sent.id,
            source=sent.source,
            to=to,
            subject=str(message["Subject"] or ""),
            text=_part(message, "plain"),
            html=_part(message, "html"),
            at=int(parsedate_to_datetime(str(date)).timestamp() * 1000) if date else None,
            kind=str(message[KIND_HEADER]) if message[KIND_HEADER] else None,
            headers={key: str(value) for key, value in message.items()},
        )
    return SentMail(  # moto's Message: a simple send_email (its body is the HTML part when there is one)
        id=sent.id,
        source=sent.source,
        to=list(sent.destinations.get("ToAddresses", [])),
        subject=sent.subject,
        text=sent.body,
        html="",
        at=None,
    )


def parsed_mails() -> list[SentMail]:
    """Every mail the emulated SES accepted since the last reset, oldest first."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region]
    return [_parse(sent) for sent in list(backend.sent_messages) if hasattr(sent, "source")]


def sent_mails(to: str | None = None) -> list[dict]:
    """What GET /local/outbox answers: the mails (to `to`, when given, case-insensitive), newest first, each
    {id, source, to: [addresses], subject, text, html, at, kind}."""
    wanted = to.strip().lower() if to else None
    mails = [mail for mail in parsed_mails() if wanted is None or wanted in (a.lower() for a in mail.to)]
    return [mail.as_json() for mail in reversed(mails)]
