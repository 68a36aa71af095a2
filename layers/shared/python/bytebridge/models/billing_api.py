"""Wire models of the money calls of the client API (documented style: same envelope, same signature): prices
(unsigned GET), estimate, confirm, retrieveBalance. Amounts are integer US cents."""

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from bytebridge.annotations import TaskType
from bytebridge.enums import AccuracyLevel
from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire

MAX_ENTRIES_PAGE = 200
MAX_NEGOTIATED_CENTS = 100_000  # $1,000 per task: beyond it is a typing error, not a negotiation


class PriceRow(_Wire):
    task_type: str = Field(description="A task type of the flow builder (singleChoice … the bytebridge task types)")
    unit_price_cents: int = Field(description="US cents per task an item goes through, at the default level (high)")
    cents_by_level: dict[AccuracyLevel, int] = Field(
        default_factory=dict, description="US cents per task at each accuracy level (标注精度) of the task node"
    )


class LevelRow(_Wire):
    level: AccuracyLevel = Field(description="标注精度: a task node's `overlap.level`")
    confidence_target: float = Field(
        description="Posterior probability a choice task's consolidated answer reaches before no more annotators "
        "are asked"
    )
    price_factor: float = Field(description="The level's unit price is the default level's × this factor")


class PricesData(_Wire):
    currency: str = "USD"
    formula: str = Field(
        "charge = Σ over delivered outputs of (tasks the item went through × unit price of each task)",
        description="How a project's charge is made of the prices (rework and failed items are free)",
    )
    prices: list[PriceRow]
    levels: list[LevelRow] = Field(default_factory=list)


class PricesResponse(_Wire):
    """Unsigned: the published table, the same for everyone."""

    code: int = 0
    success_msg: str = "success"
    timestamp: int
    data: PricesData


class BillingProjectParams(_Wire):
    project_id: ProjectId


class EstimateRequest(SignedBody):
    params: BillingProjectParams


class EstimateData(_Wire):
    project_id: str
    currency: str = "USD"
    estimate_cents: int = Field(description="What Confirm would pre-charge (reserve) from the balance")
    average_item_cents: float = Field(description="The accepted trial's cost per finished item")
    items_to_label: int = Field(description="Items not labeled yet (trial items excluded: they are done)")
    trial_items: int
    trial_cost_cents: int
    available_cents: int = Field(description="The balance available now (bonus and unspent top-ups)")
    top_up_needed_cents: int = Field(description="What the saved card is charged (in $50 units) if Confirm is called")
    note: str = Field(description="An estimate, not a quote")


class EstimateResponse(SuccessEnvelope):
    data: EstimateData


class ConfirmRequest(SignedBody):
    params: BillingProjectParams


class ConfirmData(_Wire):
    project_id: str
    currency: str = "USD"
    estimate_cents: int
    reserved_cents: int = Field(description="Held for the project from the balance (the pre-charge)")
    topped_up_cents: int = Field(description="Charged to the saved card by this confirm to cover the reservation")
    project_status: str = Field(description="inProgress once the reservation succeeded (the project starts by itself)")
    available_cents: int


class ConfirmResponse(SuccessEnvelope):
    data: ConfirmData


class RetrieveBalanceParams(_Wire):
    cursor: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="nextCursor of the previous page; none: the newest entries"
    )
    limit: int = Field(50, ge=1, le=MAX_ENTRIES_PAGE, description="Entries per page")


class RetrieveBalanceRequest(SignedBody):
    params: RetrieveBalanceParams = Field(default_factory=RetrieveBalanceParams)


class LedgerEntry(_Wire):
    seq: int = Field(description="The posting's number (postings of one account are numbered 1, 2, …)")
    index: int = Field(description="The entry's place within its posting")
    kind: str = Field(description="topUp | bonus | reserve | release | usage | refund | disputeCredit")
    account: str = Field(description="cash:<paymentId>, bonus, reserved:<projectId>:<source>, usage:…, … (docs)")
    amount_cents: int = Field(description="Signed: a posting's entries sum to zero")
    created_at: int = Field(description="Epoch ms")
    project_id: str | None = None
    ref: str | None = Field(None, description="The payment, item#round, refund, dispute or bonus reason")


class BalanceData(_Wire):
    currency: str = "USD"
    available_cents: int = Field(description="Spendable now: bonus and unspent top-ups")
    bonus_cents: int = Field(description="Part of available that is credit from us: spendable, not refundable")
    refundable_cents: int = Field(description="Unspent top-ups: refundable to the cards they came from")
    refundable_by_payment: dict[str, int]
    reserved_cents: dict[str, int] = Field(description="Pre-charges held per project")
    receivable_cents: int = Field(description="Owed: usage the balance did not cover (the next top-up pays it)")
    credit_state: str = Field(description="ok | unsettled (code 16) | settling (code 17)")
    entries: list[LedgerEntry] = Field(description="The ledger, newest posting first")
    next_cursor: str | None = None


class RetrieveBalanceResponse(SuccessEnvelope):
    data: BalanceData


class NegotiatedPricesRequest(_Wire):
    """Operator API: the project's negotiated unit prices (replacing any earlier ones); a task type left out
    keeps the published price."""

    # defer_build: validators are built on first use, so a cold start builds only the models its route uses
    model_config = ConfigDict(extra="forbid", defer_build=True)

    prices: dict[TaskType, Annotated[int, Field(ge=0, le=MAX_NEGOTIATED_CENTS)]] = Field(
        max_length=len(TaskType), description="Task type → US cents per task"
    )
