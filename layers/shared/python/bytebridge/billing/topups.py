"""Top-ups: off-session charges on the saved card in whole $50 units (seed: 扣款方式), credited to the ledger.

    top_up_for(user_id, shortfall_cents, *, key) -> TopUpOutcome     # the confirm's pre-charge, arrears, schedule

Idempotent twice over: our own row per business key (dal.payments: a retried call with the same key never charges
again once one attempt succeeded or while one is in flight; after a decline the next call is a new attempt) and a
Stripe idempotency key per attempt (real Stripe answers a retried request with the first PaymentIntent; localstripe
ignores them, which our row covers). The ledger credits each PaymentIntent once whoever reports it first: this call
or the payment_intent.succeeded webhook (both post with key = the PaymentIntent id).

While a charge is in flight the account's credit_state is settling (code 17 for starts); a success puts it back to
ok. A declined card or one that wants 3-D Secure (which an off-session charge cannot do) leaves it unsettled (code
16), pauses the account's running projects and mails the client a link to fix the card (failed_charge)."""

import logging
from dataclasses import dataclass
from typing import Literal

from bytebridge.billing import ledger, stripe_gateway
from bytebridge.clock import now_ms
from bytebridge.dal import payments
from bytebridge.dal.accounts import AccountModel, end_settling, get_account, start_settling
from bytebridge.dal.history import SYSTEM, transition
from bytebridge.dal.projects import ProjectModel, projects_of, with_status
from bytebridge.delivery import notices
from bytebridge.enums import CreditState, ProjectStatus
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)

UNIT_CENTS = 5000  # the seed's minimum top-up unit: $50
SETTLING_MS = 120_000  # how long a charge may hold credit_state settling before another may take over
# Past this, a row still `charging` is taken to be a crashed attempt: the retry re-sends the same Stripe request
# (same idempotency key: real Stripe answers with the PaymentIntent it made, if it made one).
STALE_CHARGE_MS = SETTLING_MS
FIX_CARD_PATH = "/dashboard/#/billing"

Status = Literal["succeeded", "processing", "declined", "requires_action", "no_card", "in_progress", "frozen"]


@dataclass(frozen=True)
class TopUpOutcome:
    status: Status
    amount_cents: int  # what was (or would have been) charged: whole $50 units
    payment_id: str | None = None
    failure: str | None = None  # Stripe's code for a decline
    replayed: bool = False  # the answer of an earlier call with the same key: nothing was charged now

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


def units_for(shortfall_cents: int) -> int:
    """The smallest whole number of $50 units covering `shortfall_cents` (at least one)."""
    return max(1, -(-shortfall_cents // UNIT_CENTS)) * UNIT_CENTS


def top_up_for(user_id: str, shortfall_cents: int, *, key: str, reason: str = "confirm") -> TopUpOutcome:
    """Charge the saved card enough $50 units to cover `shortfall_cents`, once per `key`, and credit the ledger.
    `no_card`: nothing saved; `frozen`: a chargeback is open; `in_progress`: this key's or another charge of the
    account is in flight (code 17); `processing`: Stripe has it and its webhook will finish it."""
    amount = units_for(shortfall_cents)
    account = get_account(user_id)
    if account is None or not account.stripe_customer_id or not account.card_payment_method:
        return TopUpOutcome("no_card", amount)
    if account.chargeback_id:
        return TopUpOutcome("frozen", amount)
    now = now_ms()
    row = payments.get_top_up(user_id, key)
    if row is not None:
        if row.status == "succeeded" and row.payment_id:
            credit_payment(user_id, row.payment_id, row.amount_cents)  # a no-op unless a crash came in between
        if row.status in ("succeeded", "processing"):
            return TopUpOutcome(row.status, row.amount_cents, row.payment_id, replayed=True)  # type: ignore[arg-type]
        if row.status == "charging" and now - row.updated_at < STALE_CHARGE_MS:
            return TopUpOutcome("in_progress", row.amount_cents)
    settling_until = now + SETTLING_MS
    before = CreditState.OK if account.credit_state == CreditState.SETTLING else CreditState(account.credit_state)
    if not start_settling(user_id, now, settling_until):
        return TopUpOutcome("in_progress", amount)
    attempt: payments.PaymentModel | None
    try:
        if row is not None and row.status == "charging":
            attempt = row  # a crashed attempt: the same Stripe request again
            amount = row.amount_cents
        else:
            attempt = payments.begin_top_up(user_id, key, amount, reason, now, after=row)
        if attempt is None:
            end_settling(user_id, before, settling_until)
            return TopUpOutcome("in_progress", amount)
        outcome = _charge(account, attempt)
    except Exception:
        end_settling(user_id, before, settling_until)  # the next call may try again
        raise
    _settle(account, outcome, settling_until)
    return outcome


def _charge(account: AccountModel, attempt: payments.PaymentModel) -> TopUpOutcome:
    user_id, key = account.user_id, attempt.sk.removeprefix(payments.TOPUP)
    assert account.stripe_customer_id and account.card_payment_method
    result = stripe_gateway.charge(
        account.stripe_customer_id,
        account.card_payment_method,
        attempt.amount_cents,
        key=f"topup:{user_id}:{key}:{attempt.attempt}",
        metadata={"userId": user_id, "topUpKey": key},
    )
    if result.payment_id:
        payments.remember_payment(result.payment_id, user_id)
    # Recorded before the credit: a crash in between leaves a succeeded row that the retry credits (idempotent).
    payments.end_top_up(attempt, result.status, result.payment_id, result.failure, now_ms())
    if result.status == "succeeded":
        assert result.payment_id
        credit_payment(user_id, result.payment_id, result.amount_cents)
    return TopUpOutcome(result.status, result.amount_cents, result.payment_id, result.failure)


def credit_payment(user_id: str, payment_id: str, amount_cents: int) -> None:
    """The ledger's credit for one succeeded PaymentIntent: once, whoever reports it (this module or a webhook)."""
    ledger.top_up(user_id, payment_id, amount_cents, key=payment_id)


def _settle(account: AccountModel, outcome: TopUpOutcome, settling_until: int) -> None:
    user_id = account.user_id
    if outcome.status == "succeeded":
        end_settling(user_id, CreditState.OK, settling_until)
    elif outcome.status == "processing":
        pass  # stays settling (code 17) until its webhook, or until the hold lapses
    else:
        end_settling(user_id, CreditState.UNSETTLED, settling_until)
        charge_failed(user_id, outcome.amount_cents, outcome.status)


def charge_failed(user_id: str, amount_cents: int, status: str) -> None:
    """A charge of the account failed: its running projects pause (they would run on credit) and the client is
    mailed a link to fix the card. Idempotent: a second call finds nothing running; the mail goes once per call."""
    for project in projects_of(user_id):
        if project.status_enum is ProjectStatus.IN_PROGRESS:
            transition(project, ProjectStatus.PAUSED, by=SYSTEM, now=now_ms(), reason="paused: a payment failed")
    problem = "authentication" if status == "requires_action" else "declined"
    notices.send(
        "payment_failed",
        user_id,
        amount=dollars(amount_cents),
        problem=problem,
        fix_url=get_settings().public_url + FIX_CARD_PATH,
    )
    log.info("top-up failed", extra={"userId": user_id, "status": status, "amountCents": amount_cents})


def dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


# ---- scheduled top-ups ---------------------------------------------------------------------------------------------


def recent_usage(user_id: str, since: int) -> dict[str, int]:
    """Usage charged per project since `since` (ms), from the ledger's newest entries back."""
    used: dict[str, int] = {}
    cursor = None
    while True:
        page, cursor = ledger.entries(user_id, cursor=cursor, limit=500)
        for entry in page:
            if entry.created_at < since:
                return used
            if entry.kind == ledger.Kind.USAGE and entry.amount_cents > 0 and entry.project_id:
                used[entry.project_id] = used.get(entry.project_id, 0) + entry.amount_cents
        if cursor is None:
            return used


def expected_usage_cents(project: ProjectModel, recent_cents: int, horizon_ms: int, now: int) -> int:
    """What a running project will likely consume over the next `horizon_ms`: its usage over the last `horizon_ms`
    (or since it started, if that is shorter), at the same rate."""
    window = min(horizon_ms, max(now - (project.started_at or now), 1))
    return -(-recent_cents * horizon_ms // window)


def scheduled_top_up(user_id: str, now: int) -> TopUpOutcome | None:
    """Across the account's running projects (seed: 对当前账户下所有在进行的项目进行综合评估后 … 统一扣款): if their
    reservations plus the available balance will not cover the next period's expected usage, charge once for the
    whole account. None if nothing is needed (or nothing runs)."""
    horizon = get_settings().topup_horizon_seconds * 1000
    running = [p for p in projects_of(user_id) if p.status_enum is ProjectStatus.IN_PROGRESS]
    if not running:
        return None
    recent = recent_usage(user_id, now - horizon)
    expected = sum(expected_usage_cents(p, recent.get(p.project_id, 0), horizon, now) for p in running)
    state = ledger.balance(user_id)
    covered = state.available_cents + sum(state.reserved_cents.get(p.project_id, 0) for p in running)
    shortfall = expected + state.receivable_cents - covered
    if shortfall <= 0:
        return None
    period = now // horizon  # one charge per account per period: a re-run of the schedule finds it done
    return top_up_for(user_id, shortfall, key=f"scheduled:{period}", reason="scheduled")


@dataclass
class ScheduledReport:
    accounts: int = 0
    charged: int = 0
    failed: int = 0
    charged_cents: int = 0


def run_scheduled_top_ups() -> ScheduledReport:
    """The scheduled function's run: every account with a running project, once."""
    report = ScheduledReport()
    now = now_ms()
    for user_id in sorted({project.user_id for project in with_status(ProjectStatus.IN_PROGRESS)}):
        report.accounts += 1
        try:
            outcome = scheduled_top_up(user_id, now)
        except Exception:  # one account's trouble (Stripe down for it, a race) must not stop the others
            log.exception("scheduled top-up failed", extra={"userId": user_id})
            report.failed += 1
            continue
        if outcome is None:
            continue
        if outcome.ok and not outcome.replayed:
            report.charged += 1
            report.charged_cents += outcome.amount_cents
        elif outcome.status in ("declined", "requires_action"):
            report.failed += 1
    return report
