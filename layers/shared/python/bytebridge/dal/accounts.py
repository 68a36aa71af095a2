"""Client accounts and their API secrets (stored encrypted; see bytebridge.secret_store)."""

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
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
    # The saved card (bytebridge.billing.cards): Stripe's payment method id, and what a person recognises it by.
    card_payment_method = UnicodeAttribute(null=True)
    card_brand = UnicodeAttribute(null=True)
    card_last4 = UnicodeAttribute(null=True)
    # While a top-up charge is in flight (credit_state settling): when that claim lapses if its holder died.
    settling_until = IntAttribute(null=True)
    # A chargeback (Stripe dispute) on one of the account's payments: new spending is frozen while it is set.
    chargeback_id = UnicodeAttribute(null=True)
    balance_cents = IntAttribute(default=0)
    # The Cognito user (sub) who signed up for this account; None for accounts made outside sign-up (demo).
    cognito_sub = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="en")  # of the account's e-mails: en | zh
    notices_optional = BooleanAttribute(default=True)  # non-essential e-mails wanted (PM messages, …)
    # The secret callbacks are signed with (never the API secret): sealed for purpose "webhook", made on first use.
    webhook_secret = UnicodeAttribute(null=True)
    # After a rotation the replaced webhook secret (sealed) keeps signing, beside the new one, until this time.
    webhook_secret_previous = UnicodeAttribute(null=True)
    webhook_previous_until = TimestampMs(null=True)
    # Printed on invoices (optional): {"name", "company", "address", "taxId"}; the account e-mail is always printed.
    billing_details = JSONAttribute(null=True)


def get_account(user_id: str) -> AccountModel | None:
    return get_or_none(AccountModel, user_id)


def active_secrets(account: AccountModel) -> list[str]:
    """The account's API secrets in clear: decrypted once per process and TTL (secret_store.unseal_cached); the
    list itself is the row's, so a revoked secret is gone from the next read of the account."""
    return [secret_store.unseal_cached(account.user_id, entry.ciphertext) for entry in account.secrets]


WEBHOOK_PURPOSE = "webhook"


def webhook_secret(account: AccountModel) -> str | None:
    """The account's webhook secret in clear, or None if it has none yet."""
    if account.webhook_secret is None:
        return None
    return secret_store.unseal(account.user_id, account.webhook_secret, WEBHOOK_PURPOSE)


def previous_webhook_secret(account: AccountModel) -> str | None:
    """The webhook secret replaced by the last rotation, in clear (whether it still signs is the caller's rule)."""
    if account.webhook_secret_previous is None:
        return None
    return secret_store.unseal(account.user_id, account.webhook_secret_previous, WEBHOOK_PURPOSE)


def rotate_webhook_secret(account: AccountModel, fresh: str, previous_until: int) -> bool:
    """Make `fresh` the webhook secret, keeping the current one as the previous until `previous_until` (an older
    previous one is dropped); False if the secret changed since `account` was read."""
    A = AccountModel
    sealed = secret_store.seal(account.user_id, fresh, WEBHOOK_PURPOSE)
    current = account.webhook_secret
    if current is None:
        return update_if(account, [A.webhook_secret.set(sealed)], A.webhook_secret.does_not_exist())
    actions = [A.webhook_secret.set(sealed), A.webhook_secret_previous.set(current)]
    return update_if(account, [*actions, A.webhook_previous_until.set(previous_until)], A.webhook_secret == current)


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


def set_preferences(
    account: AccountModel,
    *,
    language: str | None,
    notices_optional: bool | None,
    billing_details: dict | None = None,
) -> None:
    """Change the e-mail language, the wish for non-essential notices and/or the billing details printed on
    invoices (last writer wins: preferences)."""
    actions = []
    if billing_details is not None:
        actions.append(AccountModel.billing_details.set(billing_details))
    if language is not None:
        actions.append(AccountModel.language.set(language))
    if notices_optional is not None:
        actions.append(AccountModel.notices_optional.set(notices_optional))
    if actions:
        update(account, actions, AccountModel.user_id.exists())


def user_id_for_email(email: str) -> str | None:
    """The account holding the claim on `email`, if any."""
    return owner_of(email_key(email))


def set_stripe_customer_once(account: AccountModel, customer_id: str) -> bool:
    """Record the account's Stripe customer if it has none; False if one was recorded meanwhile."""
    return update_if(
        account,
        [AccountModel.stripe_customer_id.set(customer_id)],
        AccountModel.stripe_customer_id.does_not_exist(),
    )


def set_card(user_id: str, payment_method_id: str, brand: str, last4: str) -> None:
    """The account's card is now this one (last writer wins: the card a person saved last)."""
    update(
        AccountModel(user_id),
        [
            AccountModel.card_bound.set(True),
            AccountModel.card_payment_method.set(payment_method_id),
            AccountModel.card_brand.set(brand),
            AccountModel.card_last4.set(last4),
        ],
        AccountModel.user_id.exists(),
    )


def start_settling(user_id: str, now: int, until: int) -> bool:
    """credit_state → settling until `until`, unless another charge holds it (a lapsed hold may be taken over)."""
    A = AccountModel
    free = (A.credit_state != CreditState.SETTLING.value) | (A.settling_until < now) | A.settling_until.does_not_exist()
    return update_if(
        AccountModel(user_id),
        [A.credit_state.set(CreditState.SETTLING.value), A.settling_until.set(until)],
        A.user_id.exists() & free,
    )


def end_settling(user_id: str, to: CreditState, until: int) -> bool:
    """settling → `to`, if the hold taken until `until` is still there (the ledger may have moved the state on)."""
    A = AccountModel
    return update_if(
        AccountModel(user_id),
        [A.credit_state.set(to.value), A.settling_until.remove()],
        (A.credit_state == CreditState.SETTLING.value) & (A.settling_until == until),
    )


def set_credit_state(user_id: str, to: CreditState, *, only_from: CreditState) -> bool:
    A = AccountModel
    return update_if(AccountModel(user_id), [A.credit_state.set(to.value)], A.credit_state == only_from.value)


def freeze_for_chargeback(user_id: str, dispute_id: str) -> bool:
    """Freeze new spending for a chargeback; False if this dispute froze it already."""
    A = AccountModel
    return update_if(
        AccountModel(user_id),
        [A.chargeback_id.set(dispute_id)],
        A.user_id.exists() & ((A.chargeback_id != dispute_id) | A.chargeback_id.does_not_exist()),
    )
