"""Accounts and key rotation: at most two active secrets, so a client can roll keys without downtime."""

from bytebridge import ids, secret_store
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel, add_secret, get_account, insert_account, keep_secrets
from bytebridge.dal.errors import NotFound

MAX_ACTIVE_SECRETS = 2


class AccountExists(Exception):
    pass


class TooManySecrets(Exception):
    pass


def create_account(
    email: str, *, card_bound: bool = False, secret: str | None = None, user_id: str | None = None
) -> tuple[str, str]:
    """Create an account; returns (user_id, secret). The secret is shown once and stored sealed."""
    user_id = user_id or ids.new_user_id()
    secret = secret or ids.new_secret_key()
    ciphertext = secret_store.seal(user_id, secret)
    if not insert_account(user_id, email.strip(), card_bound=card_bound, ciphertext=ciphertext, now=now_ms()):
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
