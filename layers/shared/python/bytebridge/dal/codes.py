"""One-time codes we mail ourselves (Cognito sends nothing): e-mail verification and password reset.

Stored hashed (salted SHA-256; the clear code exists only in the mail), with an expiry and a count of wrong
attempts. One row per address and purpose: a new code replaces the previous one."""

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, delete_if, get_or_none, table, update_if


class CodeModel(Model):
    class Meta(BaseMeta):
        table_name = table("codes")

    key = UnicodeAttribute(hash_key=True)  # "<purpose>#<e-mail, lower case>"
    salt = UnicodeAttribute()
    code_hash = UnicodeAttribute()
    expires_at = TimestampMs()
    attempts = IntAttribute(default=0)  # wrong codes entered so far
    language = UnicodeAttribute(default="en")  # chosen at sign-up; the account takes it on confirmation
    created_at = TimestampMs()


def code_key(purpose: str, email: str) -> str:
    return f"{purpose}#{email.strip().lower()}"


def put_code(purpose: str, email: str, *, salt: str, code_hash: str, expires_at: int, language: str, now: int) -> None:
    """Store a fresh code for (purpose, email), replacing any earlier one (and its attempt count)."""
    CodeModel(
        code_key(purpose, email),
        salt=salt,
        code_hash=code_hash,
        expires_at=expires_at,
        attempts=0,
        language=language,
        created_at=now,
    ).save()


def get_code(purpose: str, email: str) -> CodeModel | None:
    return get_or_none(CodeModel, code_key(purpose, email))


def count_wrong_attempt(row: CodeModel, max_attempts: int) -> bool:
    """One more wrong attempt, if the row is still the one read and below the limit; False otherwise."""
    return update_if(
        row,
        [CodeModel.attempts.add(1)],
        (CodeModel.code_hash == row.code_hash) & (CodeModel.attempts < max_attempts),
    )


def consume_code(row: CodeModel) -> bool:
    """Delete the code if it is still the one read (a code works once); False if another request used it."""
    return delete_if(row, CodeModel.code_hash == row.code_hash)
