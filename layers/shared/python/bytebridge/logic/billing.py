"""The money calls of the signed client API (seed 付费并启动项目): estimate, confirm (pre-charge the estimate from
the balance, topping it up from the saved card when it is short, then start the project by itself), and
retrieveBalance. The ledger itself is bytebridge.billing.ledger (docs/billing.md)."""

from bytebridge.billing import ledger, prices, topups
from bytebridge.billing.estimate import NOTE, estimate
from bytebridge.consensus.model import CONFIDENCE_TARGETS
from bytebridge.dal.accounts import AccountModel, get_account
from bytebridge.dal.projects import ProjectModel, get_live_project, set_project_fields
from bytebridge.engine.launch import start_project
from bytebridge.enums import AccuracyLevel, ProjectStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.project_state import account_refusal
from bytebridge.models.billing_api import (
    BalanceData,
    ConfirmData,
    EstimateData,
    LedgerEntry,
    LevelRow,
    PriceRow,
    PricesData,
    RetrieveBalanceParams,
)
from bytebridge.pricing import LEVEL_FACTORS, level_price

S = ProjectStatus
# Where a project is after its confirm (a retried confirm answers with the confirmed pre-charge).
_CONFIRMED = {S.IN_PROGRESS, S.PAUSED, S.ENDING, S.COMPLETED}
_BEFORE_PAYMENT = {S.DRAFT, S.CHECKING, S.TRIAL, S.TRIAL_DONE}
# A top-up that did not bring the money, as the documented codes put it.
_TOP_UP_REFUSALS = {
    "no_card": (ErrorCode.CARD_REQUIRED, "the balance does not cover the estimate and no card is saved"),
    "frozen": (ErrorCode.UNSETTLED_CREDIT, "a card payment of the account is disputed at the bank"),
    "declined": (ErrorCode.UNSETTLED_CREDIT, "the card was declined: update it in the dashboard, then confirm again"),
    "requires_action": (
        ErrorCode.UNSETTLED_CREDIT,
        "the card asks for authentication: complete it in the dashboard, then confirm again",
    ),
    "in_progress": (ErrorCode.SETTLEMENT_IN_PROGRESS, "a top-up of the account is in flight: confirm again shortly"),
    "processing": (ErrorCode.SETTLEMENT_IN_PROGRESS, "the top-up is being processed: confirm again shortly"),
}


def prices_table() -> PricesData:
    return PricesData(
        prices=[
            PriceRow(
                task_type=t.value,
                unit_price_cents=c,
                cents_by_level={level: level_price(c, level) for level in AccuracyLevel},
            )
            for t, c in sorted(prices.published().items())
        ],
        levels=[
            LevelRow(level=level, confidence_target=CONFIDENCE_TARGETS[level], price_factor=LEVEL_FACTORS[level])
            for level in AccuracyLevel
        ],
    )


def _not_payable(project: ProjectModel) -> ApiError:
    status = project.status_enum
    if status in _BEFORE_PAYMENT:
        return ApiError(ErrorCode.UNDER_REVIEW, "the project is paid for once its trial was accepted (acceptTrial)")
    if status in (S.IN_PROGRESS, S.PAUSED):
        return ApiError(ErrorCode.ALREADY_RUNNING)
    return ApiError(ErrorCode.ALREADY_COMPLETED)


def project_estimate(account: AccountModel, project_id: str) -> EstimateData:
    project = get_live_project(account.user_id, project_id)
    if project.status_enum is not S.WAITING_PAYMENT:
        raise _not_payable(project)
    figures = estimate(project)
    available = ledger.balance(account.user_id).available_cents
    short = figures.estimate_cents - available
    return EstimateData(
        project_id=project_id,
        estimate_cents=figures.estimate_cents,
        average_item_cents=figures.average_item_cents,
        items_to_label=figures.items_to_label,
        trial_items=figures.trial_items,
        trial_cost_cents=figures.trial_cost_cents,
        available_cents=available,
        top_up_needed_cents=topups.units_for(short) if short > 0 else 0,
        note=NOTE,
    )


def _reserve(user_id: str, project_id: str, amount_cents: int) -> tuple[ledger.Posting, int]:
    """Reserve the estimate (once per project); a short balance is topped up from the saved card first.
    Returns the reservation and what the card was charged."""
    try:
        return ledger.reserve(user_id, project_id, amount_cents, key=project_id), 0
    except ledger.InsufficientBalance as short:
        outcome = topups.top_up_for(user_id, short.shortfall_cents, key=f"confirm:{project_id}")
        if not outcome.ok:
            code, detail = _TOP_UP_REFUSALS.get(outcome.status, (ErrorCode.UNSETTLED_CREDIT, outcome.status))
            raise ApiError(code, detail) from None
    try:
        return ledger.reserve(user_id, project_id, amount_cents, key=project_id), outcome.amount_cents
    except ledger.InsufficientBalance as still_short:  # the balance was spent meanwhile by running projects
        raise ApiError(
            ErrorCode.SETTLEMENT_IN_PROGRESS, f"the balance is still {still_short.shortfall_cents} cents short"
        ) from None


def _confirmed(account: AccountModel, project: ProjectModel) -> ConfirmData:
    reservation = ledger.posted(account.user_id, ledger.Kind.RESERVE, project.project_id)
    reserved = sum(cents for _, cents in reservation.entries if cents > 0) if reservation else 0
    return ConfirmData(
        project_id=project.project_id,
        estimate_cents=project.confirmed_estimate_cents or 0,
        reserved_cents=reserved,
        topped_up_cents=0,
        project_status=project.status,
        available_cents=ledger.balance(account.user_id).available_cents,
    )


def confirm(account: AccountModel, project_id: str) -> ConfirmData:
    """Pre-charge the estimate and start the project (waitingPayment → inProgress). Idempotent: a retried confirm
    reserves nothing more and answers with the confirmed pre-charge."""
    project = get_live_project(account.user_id, project_id)
    if project.status_enum in _CONFIRMED and project.confirmed_estimate_cents is not None:
        return _confirmed(account, project)
    if project.status_enum is not S.WAITING_PAYMENT:
        raise _not_payable(project)
    if refusal := account_refusal(account):
        raise refusal
    if project.checking_count:  # the estimate must count them: added data is charged like the rest
        raise ApiError(ErrorCode.CHECKING_STATUS, f"{project.checking_count} uploaded files are still being checked")
    amount = estimate(project).estimate_cents
    reservation, topped_up = _reserve(account.user_id, project_id, amount) if amount > 0 else (None, 0)
    reserved = sum(cents for _, cents in reservation.entries if cents > 0) if reservation else 0
    set_project_fields(
        project,
        {"confirmed_estimate_cents": reserved if reservation else 0},
        ProjectModel.status == S.WAITING_PAYMENT.value,
    )
    start_project(account.user_id, project_id, S.WAITING_PAYMENT, by=account.user_id, reason="confirmed: pre-charged")
    current = get_live_project(account.user_id, project_id)
    return ConfirmData(
        project_id=project_id,
        estimate_cents=amount,
        reserved_cents=reserved,
        topped_up_cents=topped_up,
        project_status=current.status,
        available_cents=ledger.balance(account.user_id).available_cents,
    )


def retrieve_balance(account: AccountModel, params: RetrieveBalanceParams) -> BalanceData:
    try:
        entries, cursor = ledger.entries(account.user_id, cursor=params.cursor, limit=params.limit)
    except ValueError as exc:
        raise ApiError(ErrorCode.PARAMETER_INVALID, str(exc)) from None
    balance = ledger.balance(account.user_id)
    current = get_account(account.user_id) or account
    return BalanceData(
        available_cents=balance.available_cents,
        bonus_cents=balance.bonus_cents,
        refundable_cents=sum(balance.refundable_by_payment.values()),
        refundable_by_payment=balance.refundable_by_payment,
        reserved_cents=balance.reserved_cents,
        receivable_cents=balance.receivable_cents,
        credit_state=ledger.credit_state(account.user_id, current.credit_state),
        entries=[
            LedgerEntry(
                seq=e.seq,
                index=e.index,
                kind=e.kind,
                account=e.account,
                amount_cents=e.amount_cents,
                created_at=e.created_at,
                project_id=e.project_id,
                ref=e.ref,
            )
            for e in entries
        ],
        next_cursor=cursor,
    )
