"""Accounts and key rotation: at most two active secrets, so a client can roll keys without downtime."""

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import size

from bytebridge import ids, secret_store
from bytebridge.dal.accounts import AccountModel, SecretEntry
from bytebridge.dal.base import now_ms, transact_write
from bytebridge.dal.unique_keys import UniqueKeyModel, email_key

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
    account = AccountModel(
        user_id,
        email=email.strip(),
        created_at=now_ms(),
        card_bound=card_bound,
        secrets=[SecretEntry(key_id="k1", ciphertext=secret_store.seal(user_id, secret), created_at=now_ms())],
    )
    claim = UniqueKeyModel(email_key(email), owner=user_id)
    try:
        with transact_write() as tx:
            tx.save(claim, condition=UniqueKeyModel.key.does_not_exist())
            tx.save(account, condition=AccountModel.user_id.does_not_exist())
    except TransactWriteError as exc:
        raise AccountExists(email) from exc
    return user_id, secret


def get_account(user_id: str) -> AccountModel | None:
    try:
        return AccountModel.get(user_id, consistent_read=True)
    except AccountModel.DoesNotExist:
        return None


def active_secrets(account: AccountModel) -> list[str]:
    return [secret_store.unseal(account.user_id, entry.ciphertext) for entry in account.secrets]


def rotate_secret(user_id: str) -> tuple[str, str]:
    """Add a second active secret; returns (key_id, secret). Fails while two are already active."""
    account = AccountModel.get(user_id, consistent_read=True)
    if len(account.secrets) >= MAX_ACTIVE_SECRETS:
        raise TooManySecrets(user_id)
    used = {entry.key_id for entry in account.secrets}
    key_id = next(f"k{n}" for n in range(1, 10) if f"k{n}" not in used)
    secret = ids.new_secret_key()
    entry = SecretEntry(key_id=key_id, ciphertext=secret_store.seal(user_id, secret), created_at=now_ms())
    account.update(
        actions=[AccountModel.secrets.set(AccountModel.secrets.append([entry]))],
        condition=size(AccountModel.secrets) < MAX_ACTIVE_SECRETS,
    )
    return key_id, secret


def revoke_secret(user_id: str, key_id: str) -> None:
    """Retire one secret; the last one cannot be revoked (the account would lock itself out)."""
    account = AccountModel.get(user_id, consistent_read=True)
    keep = [entry for entry in account.secrets if entry.key_id != key_id]
    if not keep or len(keep) == len(account.secrets):
        raise ValueError("unknown key or last active key")
    account.update(
        actions=[AccountModel.secrets.set(keep)],
        condition=size(AccountModel.secrets) == len(account.secrets),
    )
