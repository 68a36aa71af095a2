"""Saving a card: setupCard gives the browser a SetupIntent's client secret (with the publishable key for Stripe.js);
once the browser has confirmed it, confirmCard (or the same call from the dashboard) makes that card the customer's
default and the account's card (brand and last four digits only): card_bound from then on (code 12 needs it).

A new card also clears what a failed charge left: with nothing owed the account is settled again; with arrears
the new card is charged for them at once (whole $50 units)."""

import logging
from dataclasses import dataclass

from bytebridge.billing import ledger, stripe_gateway, topups
from bytebridge.dal.accounts import AccountModel, get_account, set_card, set_credit_state, set_stripe_customer_once
from bytebridge.enums import CreditState
from bytebridge.errors import ApiError, ErrorCode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardSetup:
    setup_intent_id: str
    client_secret: str
    publishable_key: str


@dataclass(frozen=True)
class SavedCard:
    brand: str
    last4: str
    settled: bool  # nothing owed and no failed charge pending on the account


def customer_of(account: AccountModel) -> str:
    """The account's Stripe customer, made on first use (once, even when two calls race: Stripe's idempotency key
    makes the second create answer the first customer; our conditional write keeps the first id)."""
    if account.stripe_customer_id:
        return account.stripe_customer_id
    customer_id = stripe_gateway.create_customer(account.user_id, account.email, key=f"customer:{account.user_id}")
    if not set_stripe_customer_once(account, customer_id):
        fresh = get_account(account.user_id)
        assert fresh is not None and fresh.stripe_customer_id
        return fresh.stripe_customer_id
    account.stripe_customer_id = customer_id
    return customer_id


def setup_card(account: AccountModel) -> CardSetup:
    intent = stripe_gateway.create_setup_intent(customer_of(account), account.user_id)
    return CardSetup(intent.id, intent.client_secret, stripe_gateway.publishable_key())


def confirm_card(account: AccountModel, setup_intent_id: str) -> SavedCard:
    """Record the card of a SetupIntent the client confirmed. Code 2 for a SetupIntent that is not this account's
    or not (yet) succeeded; code 12 for a card Stripe declined."""
    intent = stripe_gateway.retrieve_setup_intent(setup_intent_id)
    if intent is None or not account.stripe_customer_id or intent.customer != account.stripe_customer_id:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "no such card setup: call setupCard first")
    if intent.status == "requires_action":
        raise ApiError(ErrorCode.CARD_REQUIRED, "the bank asks to authenticate the card: finish it in the browser")
    if intent.status != "succeeded" or not intent.payment_method_id:
        raise ApiError(ErrorCode.CARD_REQUIRED, f"the card was not saved (setup {intent.status})")
    return save_card(account, intent.payment_method_id)


def save_card(account: AccountModel, payment_method_id: str) -> SavedCard:
    """Make a card of a succeeded SetupIntent the account's card (confirmCard, or Stripe's setup_intent.succeeded
    webhook when the browser never came back): idempotent, the same card saved twice is saved once."""
    assert account.stripe_customer_id
    card = stripe_gateway.save_default_card(account.stripe_customer_id, payment_method_id)
    set_card(account.user_id, card.payment_method_id, card.brand, card.last4)
    return SavedCard(card.brand, card.last4, settled=_settle_with_new_card(account.user_id, card.payment_method_id))


def _settle_with_new_card(user_id: str, payment_method_id: str) -> bool:
    """After a new card: charge what is owed on it, or clear a failed charge's unsettled state. True if settled."""
    owed = ledger.balance(user_id).receivable_cents
    if owed > 0:
        outcome = topups.top_up_for(user_id, owed, key=f"arrears:{payment_method_id}", reason="arrears")
        return outcome.ok
    set_credit_state(user_id, CreditState.OK, only_from=CreditState.UNSETTLED)
    return True
