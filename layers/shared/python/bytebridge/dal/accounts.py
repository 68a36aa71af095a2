"""Client accounts and their API secrets (stored encrypted; see bytebridge.secret_store)."""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import size
from pynamodb.models import Model

from bytebridge import secret_store
from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, table, transact, update
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.unique_keys import claim_in, email_key
from bytebridge.enums import CreditState


class SecretEntry(MapAttribute):
    key_id = UnicodeAttribute()  # public handle for rotation ("k1", "k2"…); never the secret
    ciphertext = UnicodeAttribute()  # base64 KMS ciphertext, bound to the account by encryption context
    created_at = TimestampMs()


class AccountModel(Model):
    class Meta(BaseMeta):
        table_name = table("accounts")

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    created_at = TimestampMs()
    secrets = ListAttribute(of=SecretEntry, default=list)
    project_seq = IntAttribute(default=0)
    card_bound = BooleanAttribute(default=False)
    stripe_customer_id = UnicodeAttribute(null=True)
    credit_state = UnicodeAttribute(default=CreditState.OK)
    balance_cents = IntAttribute(default=0)


def get_account(user_id: str) -> AccountModel | None:
    return get_or_none(AccountModel, user_id)


def active_secrets(account: AccountModel) -> list[str]:
    return [secret_store.unseal(account.user_id, entry.ciphertext) for entry in account.secrets]


def insert_account(user_id: str, email: str, *, card_bound: bool, ciphertext: str, now: int) -> bool:
    """A new account with one sealed secret ("k1") and the claim on its e-mail address, in one transaction.
    False if nothing was written: the address or the user id is taken (any cancelled transaction counts)."""
    account = AccountModel(
        user_id,
        email=email,
        created_at=now,
        card_bound=card_bound,
        secrets=[SecretEntry(key_id="k1", ciphertext=ciphertext, created_at=now)],
    )
    try:
        with transact() as tx:
            claim_in(tx, email_key(email), user_id)
            tx.save(account, condition=AccountModel.user_id.does_not_exist())
    except (ConditionFailed, TransactWriteError):
        return False
    return True


def refresh_account(account: AccountModel) -> None:
    """Re-read the account in place (consistent read)."""
    account.refresh(consistent_read=True)


def add_secret(account: AccountModel, key_id: str, ciphertext: str, now: int, *, max_active: int) -> None:
    """Append a sealed secret, if the account holds fewer than `max_active`; ConditionFailed otherwise."""
    entry = SecretEntry(key_id=key_id, ciphertext=ciphertext, created_at=now)
    update(
        account,
        [AccountModel.secrets.set(AccountModel.secrets.append([entry]))],
        size(AccountModel.secrets) < max_active,
    )


def keep_secrets(account: AccountModel, keep: list[SecretEntry]) -> None:
    """Replace the account's secrets with `keep`, if it still holds as many as it did when read;
    ConditionFailed otherwise."""
    update(account, [AccountModel.secrets.set(keep)], size(AccountModel.secrets) == len(account.secrets))
