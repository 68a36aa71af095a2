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
from bytebridge.dal.base import (
    BaseMeta,
    IntAttribute,
    TimestampMs,
    get_or_none,
    table,
    transact,
    update,
    update_if,
)
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.unique_keys import claim_in, email_key, owner_of
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
    # The Cognito user (sub) who signed up for this account; None for accounts made outside sign-up (demo).
    cognito_sub = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="en")  # of the account's e-mails: en | zh
    notices_optional = BooleanAttribute(default=True)  # non-essential e-mails wanted (PM messages, …)
    # The secret callbacks are signed with (never the API secret): sealed for purpose "webhook", made on first use.
    webhook_secret = UnicodeAttribute(null=True)


def get_account(user_id: str) -> AccountModel | None:
    return get_or_none(AccountModel, user_id)


def active_secrets(account: AccountModel) -> list[str]:
    return [secret_store.unseal(account.user_id, entry.ciphertext) for entry in account.secrets]


WEBHOOK_PURPOSE = "webhook"


def webhook_secret(account: AccountModel) -> str | None:
    """The account's webhook secret in clear, or None if it has none yet."""
    if account.webhook_secret is None:
        return None
    return secret_store.unseal(account.user_id, account.webhook_secret, WEBHOOK_PURPOSE)


def set_webhook_secret_once(account: AccountModel, secret: str) -> bool:
    """Store `secret` sealed as the webhook secret if the account has none; False if one was stored meanwhile."""
    ciphertext = secret_store.seal(account.user_id, secret, WEBHOOK_PURPOSE)
    return update_if(
        account, [AccountModel.webhook_secret.set(ciphertext)], AccountModel.webhook_secret.does_not_exist()
    )


def insert_account(
    user_id: str,
    email: str,
    *,
    card_bound: bool,
    ciphertext: str,
    now: int,
    cognito_sub: str | None = None,
    language: str = "en",
) -> bool:
    """A new account with one sealed secret ("k1") and the claim on its e-mail address, in one transaction.
    False if nothing was written: the address or the user id is taken (any cancelled transaction counts)."""
    account = AccountModel(
        user_id,
        email=email,
        created_at=now,
        card_bound=card_bound,
        secrets=[SecretEntry(key_id="k1", ciphertext=ciphertext, created_at=now)],
        cognito_sub=cognito_sub,
        language=language,
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


def replace_secrets(account: AccountModel, secrets: list[SecretEntry]) -> None:
    """Set the account's secrets to `secrets`, if its list is still the one read (same key ids, in order);
    ConditionFailed otherwise (a concurrent rotation won)."""
    condition = size(AccountModel.secrets) == len(account.secrets)
    for index, entry in enumerate(account.secrets):
        condition &= AccountModel.secrets[index]["key_id"] == entry.key_id
    update(account, [AccountModel.secrets.set(secrets)], condition)


def set_preferences(account: AccountModel, *, language: str | None, notices_optional: bool | None) -> None:
    """Change the e-mail language and/or the wish for non-essential notices (last writer wins: preferences)."""
    actions = []
    if language is not None:
        actions.append(AccountModel.language.set(language))
    if notices_optional is not None:
        actions.append(AccountModel.notices_optional.set(notices_optional))
    if actions:
        update(account, actions, AccountModel.user_id.exists())


def user_id_for_email(email: str) -> str | None:
    """The account holding the claim on `email`, if any."""
    return owner_of(email_key(email))
