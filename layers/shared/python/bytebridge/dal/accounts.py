"""Client accounts and their API secrets (stored encrypted; see bytebridge.secret_store)."""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class SecretEntry(MapAttribute):
    key_id = UnicodeAttribute()  # public handle for rotation ("k1", "k2"…); never the secret
    ciphertext = UnicodeAttribute()  # base64 KMS ciphertext, bound to the account by encryption context
    created_at = TimestampMs()


class CreditState:
    OK = "ok"
    UNSETTLED = "unsettled"  # a charge failed: no new project may start (code 16)
    SETTLING = "settling"  # a top-up charge is in flight (code 17)


class AccountModel(Model):
    class Meta(BaseMeta):
        table_name = table("accounts")

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    created_at = TimestampMs()
    secrets = ListAttribute(of=SecretEntry, default=list)
    project_seq = NumberAttribute(default=0)
    card_bound = BooleanAttribute(default=False)
    stripe_customer_id = UnicodeAttribute(null=True)
    credit_state = UnicodeAttribute(default=CreditState.OK)
    balance_cents = NumberAttribute(default=0)
