"""Accounts and key rotation: at most two active secrets, so a client can roll keys without downtime."""

from bytebridge import ids, secret_store
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import (
    AccountModel,
    SecretEntry,
    add_secret,
    get_account,
    insert_account,
    keep_secrets,
    replace_secrets,
    set_preferences,
    user_id_for_email,
)
from bytebridge.dal.errors import ConditionFailed, NotFound
from bytebridge.identity import Caller

MAX_ACTIVE_SECRETS = 2


class AccountExists(Exception):
    pass


class TooManySecrets(Exception):
    pass


def create_account(
    email: str,
    *,
    card_bound: bool = False,
    secret: str | None = None,
    user_id: str | None = None,
    cognito_sub: str | None = None,
    language: str = "en",
) -> tuple[str, str]:
    """Create an account; returns (user_id, secret). The secret is stored sealed; its owner reads it over JWT
    (account API, apiKeys)."""
    user_id = user_id or ids.new_user_id()
    secret = secret or ids.new_secret_key()
    ciphertext = secret_store.seal(user_id, secret)
    if not insert_account(
        user_id,
        email.strip(),
        card_bound=card_bound,
        ciphertext=ciphertext,
        now=now_ms(),
        cognito_sub=cognito_sub,
        language=language,
    ):
        raise AccountExists(email)
    return user_id, secret


def _account(user_id: str) -> AccountModel:
    if (account := get_account(user_id)) is None:
        raise NotFound(user_id)
    return account


def rotate_secret(user_id: str) -> tuple[str, str]:
    """Add a second active secret; returns (key_id, secret). Fails while two are already active."""
    account = _account(user_id)
    if len(account.secrets) >= MAX_ACTIVE_SECRETS:
        raise TooManySecrets(user_id)
    used = {entry.key_id for entry in account.secrets}
    key_id = next(f"k{n}" for n in range(1, 10) if f"k{n}" not in used)
    secret = ids.new_secret_key()
    add_secret(account, key_id, secret_store.seal(user_id, secret), now_ms(), max_active=MAX_ACTIVE_SECRETS)
    return key_id, secret


def revoke_secret(user_id: str, key_id: str) -> None:
    """Retire one secret; the last one cannot be revoked (the account would lock itself out)."""
    account = _account(user_id)
    keep = [entry for entry in account.secrets if entry.key_id != key_id]
    if not keep or len(keep) == len(account.secrets):
        raise ValueError("unknown key or last active key")
    keep_secrets(account, keep)


def _number(key_id: str) -> int:
    return int(key_id[1:]) if key_id[1:].isdigit() else 0


def rotate_key(user_id: str, *, attempts: int = 3) -> tuple[str, str]:
    """Add a new secret; with two already active, the oldest is revoked in the same write (so at most two are
    ever active). Returns (key_id, secret). Two rotations at once: both succeed one after the other (a lost
    condition re-reads and tries again)."""
    for _ in range(attempts):
        account = _account(user_id)
        kept = sorted(account.secrets, key=lambda entry: (entry.created_at, _number(entry.key_id)))
        kept = kept[-(MAX_ACTIVE_SECRETS - 1) :] if MAX_ACTIVE_SECRETS > 1 else []
        key_id = f"k{max((_number(entry.key_id) for entry in account.secrets), default=0) + 1}"
        secret = ids.new_secret_key()
        entry = SecretEntry(key_id=key_id, ciphertext=secret_store.seal(user_id, secret), created_at=now_ms())
        try:
            replace_secrets(account, [*kept, entry])
        except ConditionFailed:
            continue
        return key_id, secret
    raise ConditionFailed(user_id)


def api_keys(user_id: str) -> list[tuple[str, str, int]]:
    """The active secrets, oldest first: (key_id, secret, created_at ms)."""
    account = _account(user_id)
    entries = sorted(account.secrets, key=lambda entry: (entry.created_at, _number(entry.key_id)))
    return [(e.key_id, secret_store.unseal(user_id, e.ciphertext), int(e.created_at)) for e in entries]


def account_of(user_id: str) -> AccountModel:
    """The account, or NotFound."""
    return _account(user_id)


def account_of_caller(caller: Caller) -> AccountModel:
    """A signed-in client's account: the userId its token names (custom:user_id, else its e-mail's account),
    checked against the Cognito sub. NotFound if there is none (sign-up not confirmed) or it is another user's."""
    user_id = caller.user_id or user_id_for_email(caller.email)
    if not user_id:
        raise NotFound(caller.sub)
    account = _account(user_id)
    if account.cognito_sub and account.cognito_sub != caller.sub:
        raise NotFound(caller.sub)
    return account


def update_preferences(
    user_id: str, *, language: str | None, notices_optional: bool | None, billing_details: dict | None = None
) -> AccountModel:
    account = _account(user_id)
    set_preferences(account, language=language, notices_optional=notices_optional, billing_details=billing_details)
    return _account(user_id)
