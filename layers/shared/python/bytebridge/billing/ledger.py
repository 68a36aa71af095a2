"""The balance ledger: append-only, double-entry, in US cents (docs/billing.md has the chart of accounts).

Every posting is a set of entries summing to zero across named accounts of one client account:
    cash:<paymentId>            money a card payment brought in, not yet spent or refunded (refundable)
    bonus                       credit the platform gave (spendable, never refunded)
    reserved:<projectId>:<src>  held for a project (the confirm's pre-charge), by the source it came from
    usage:<projectId>:<src>     consumed by a project's labeling, by the source that paid it: `bonus`,
                                `cash:<paymentId>` or `receivable` (owed, not paid yet)
    receivable                  minus what the client owes when usage outran the balance
    card:<paymentId>            the outside world's side of a top-up (minus what the payment brought in)
    refunded:<paymentId>        what went back to that payment's card
    promo                       the platform's side of bonus credit
Client money (cash, bonus, reserved) is never negative: what usage cannot draw goes to receivable, and any money
that arrives later (top-up, bonus, release, dispute credit) settles receivable first, re-attributing the owed
usage to the source that paid it, so which payment funded each cent of usage stays derivable.

Spending order: a project's reservation first, then the available balance; within each, bonus before cash
(non-refundable money first, so what stays is refundable), cash oldest payment first. Dispute credits go back the
other way: receivable first (owed, never paid), then cash newest payment first, then bonus.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from bytebridge.clock import now_ms
from bytebridge.dal import ledger as rows
from bytebridge.dal.errors import ConditionFailed
from bytebridge.enums import CreditState

BONUS = "bonus"
RECEIVABLE = "receivable"
PROMO = "promo"
_CASH, _CARD, _REFUNDED, _RESERVED, _USAGE = "cash:", "card:", "refunded:", "reserved:", "usage:"


def cash(payment_id: str) -> str:
    return _CASH + payment_id


def card(payment_id: str) -> str:
    return _CARD + payment_id


def refunded(payment_id: str) -> str:
    return _REFUNDED + payment_id


def reserved(project_id: str, source: str) -> str:
    return f"{_RESERVED}{project_id}:{source}"


def usage(project_id: str, source: str) -> str:
    return f"{_USAGE}{project_id}:{source}"


class Kind:
    TOP_UP = "topUp"
    BONUS = "bonus"
    RESERVE = "reserve"
    RELEASE = "release"
    USAGE = "usage"
    REFUND = "refund"
    DISPUTE = "disputeCredit"


class LedgerError(Exception):
    """A posting the ledger refuses (nothing was written)."""


class InsufficientBalance(LedgerError):
    """A reservation or refund larger than the money it may draw on."""

    def __init__(self, shortfall_cents: int, detail: str) -> None:
        super().__init__(f"{detail}: {shortfall_cents} cents short")
        self.shortfall_cents = shortfall_cents


class ExceedsCharge(LedgerError):
    """A dispute credit larger than what the project was charged."""


class DuplicatePayment(LedgerError):
    """A payment already credited under another business key."""


@dataclass(frozen=True)
class Posting:
    seq: int
    kind: str
    key: str
    entries: tuple[tuple[str, int], ...]
    created_at: int
    project_id: str | None
    ref: str | None


@dataclass(frozen=True)
class Entry:
    """One line of a posting, as a statement shows it."""

    seq: int
    index: int
    kind: str
    account: str
    amount_cents: int
    created_at: int
    project_id: str | None
    ref: str | None


@dataclass(frozen=True)
class Balance:
    available_cents: int  # bonus + every payment's unspent cash
    bonus_cents: int
    reserved_cents: dict[str, int]  # by project
    receivable_cents: int  # owed (usage the balance did not cover), ≥ 0
    refundable_by_payment: dict[str, int]  # payment id → unspent cash it brought in


# ---- the arithmetic of one posting, on a working copy of the balance row ------------------------------------


class _Book:
    def __init__(self, accounts: dict[str, int]) -> None:
        self.accounts = accounts
        self.lines: list[tuple[str, int]] = []

    def get(self, account: str) -> int:
        return self.accounts.get(account, 0)

    def move(self, source: str, target: str, cents: int) -> None:
        if cents <= 0:
            return
        self.lines += [(source, -cents), (target, cents)]
        self.accounts[source] = self.get(source) - cents
        self.accounts[target] = self.get(target) + cents

    def payments(self) -> list[str]:
        """Payment ids in arrival order: card:<id> accounts are never zero, and the row keeps insertion order."""
        return [name.removeprefix(_CARD) for name in self.accounts if name.startswith(_CARD)]

    def spend_order(self) -> list[str]:
        """The sources of available money in the order they are spent: bonus, then cash oldest first."""
        return [BONUS, *(cash(p) for p in self.payments())]

    def available(self) -> int:
        return sum(self.get(source) for source in self.spend_order())

    def starting(self, prefix: str) -> list[tuple[str, int]]:
        return [(name, cents) for name, cents in self.accounts.items() if name.startswith(prefix) and cents]

    def draw(self, cents: int, sources: list[str], account_of: Callable[[str], str], to: Callable[[str], str]) -> int:
        """Move up to `cents` from account_of(source) to to(source), source by source; what is left undrawn."""
        for source in sources:
            take = min(cents, self.get(account_of(source)))
            self.move(account_of(source), to(source), take)
            cents -= max(take, 0)
        return cents

    def settle(self) -> None:
        """Available money pays what is owed: each settled cent of a project's owed usage becomes usage paid by
        the source it came from."""
        for source in self.spend_order():
            owed = -self.get(RECEIVABLE)
            take = min(owed, self.get(source))
            if take <= 0:
                continue
            self.move(source, RECEIVABLE, take)
            for name, cents in self.starting(_USAGE):
                if take <= 0:
                    break
                project_id, _, paid_by = name.removeprefix(_USAGE).partition(":")
                if paid_by != RECEIVABLE or cents <= 0:
                    continue
                part = min(take, cents)
                self.move(name, usage(project_id, source), part)
                take -= part


def _positive(cents: int) -> None:
    if isinstance(cents, bool) or not isinstance(cents, int) or cents <= 0:
        raise ValueError(f"an amount in cents must be a positive whole number, not {cents!r}")


@dataclass(frozen=True)
class _Order:
    """One posting to make: its kind and business key, how it moves money (`build`, on a working copy of the
    balance row; it may raise LedgerError), and what it concerns."""

    user_id: str
    kind: str
    key: str
    build: Callable[[_Book], None]
    project_id: str | None = None
    ref: str | None = None

    @property
    def full_key(self) -> str:
        return f"{self.kind}:{self.key}"

    def posted(self) -> rows.LedgerModel | None:
        return rows.posting_for_key(self.user_id, self.full_key)


def _plan(order: _Order, *, check_key: bool = True) -> rows.PostingWrite | None:
    """The writes of one posting against the current balance row; None if its business key was posted already.
    Without `check_key` the key is looked up only if `build` refuses (a retry of a posting that went through may no
    longer fit the balance): a first attempt saves the read, and a duplicate is refused by the key row's condition
    in the transaction."""
    if check_key and order.posted() is not None:
        return None
    current = rows.read_balance(order.user_id)
    book = _Book(dict(current.accounts))
    try:
        order.build(book)
    except LedgerError:
        if not check_key and order.posted() is not None:
            return None
        raise
    posting = rows.new_posting(
        order.user_id,
        current.seq,
        kind=order.kind,
        key=order.full_key,
        entries=book.lines,
        project_id=order.project_id,
        ref=order.ref,
        now=now_ms(),
    )
    return rows.PostingWrite(order.user_id, current.seq, book.accounts, posting)


def _post(order: _Order) -> Posting:
    """Post once per business key: a retry (or a racing duplicate) returns the first posting unchanged."""
    for attempt in range(rows.RACE_RETRIES):
        write = _plan(order, check_key=attempt > 0)
        if write is None:
            if (first := order.posted()) is not None:
                return _posting(first)
            continue
        if rows.commit(write):
            return _posting(write.posting)
    raise ConditionFailed(f"the ledger of {order.user_id} kept changing under a {order.kind} posting")


def _posting(row: rows.LedgerModel) -> Posting:
    return Posting(
        seq=row.seq or 0,
        kind=row.kind or "",
        key=row.key or "",
        entries=tuple((account, cents) for account, cents in row.entries or []),
        created_at=row.created_at or 0,
        project_id=row.project_id,
        ref=row.ref,
    )


# ---- postings -------------------------------------------------------------------------------------------------


def top_up(user_id: str, payment_id: str, amount_cents: int, *, key: str) -> Posting:
    """Money from one card payment arrived (it settles anything owed first)."""
    _positive(amount_cents)

    def build(book: _Book) -> None:
        if card(payment_id) in book.accounts:
            raise DuplicatePayment(f"payment {payment_id} was credited already")
        book.move(card(payment_id), cash(payment_id), amount_cents)
        book.settle()

    return _post(_Order(user_id, Kind.TOP_UP, key, build, ref=payment_id))


def bonus(user_id: str, amount_cents: int, reason: str, *, key: str) -> Posting:
    """Credit from the platform: spendable, never refundable (it settles anything owed first)."""
    _positive(amount_cents)

    def build(book: _Book) -> None:
        book.move(PROMO, BONUS, amount_cents)
        book.settle()

    return _post(_Order(user_id, Kind.BONUS, key, build, ref=reason[:200]))


def reserve(user_id: str, project_id: str, amount_cents: int, *, key: str) -> Posting:
    """Hold `amount_cents` of the available balance for a project; InsufficientBalance if it is short."""
    _positive(amount_cents)

    def build(book: _Book) -> None:
        short = amount_cents - book.available()
        if short > 0:
            raise InsufficientBalance(short, "the balance does not cover the reservation")
        book.draw(amount_cents, book.spend_order(), lambda s: s, lambda s: reserved(project_id, s))

    return _post(_Order(user_id, Kind.RESERVE, key, build, project_id=project_id))


def release(user_id: str, project_id: str, *, key: str) -> Posting:
    """Give what is left of a project's reservation back to the sources it came from."""

    def build(book: _Book) -> None:
        prefix = reserved(project_id, "")
        for name, cents in book.starting(prefix):
            book.move(name, name.removeprefix(prefix), cents)
        book.settle()

    return _post(_Order(user_id, Kind.RELEASE, key, build, project_id=project_id))


def usage_key(item_id: str, visit: int) -> str:
    return f"{item_id}#{visit}"


def _usage(user_id: str, project_id: str, item_id: str, visit: int, amount_cents: int) -> _Order:
    """One item's billed visit: the project's reservation first, then the balance, the rest owed."""
    _positive(amount_cents)

    def build(book: _Book) -> None:
        order = book.spend_order()
        left = book.draw(amount_cents, order, lambda s: reserved(project_id, s), lambda s: usage(project_id, s))
        left = book.draw(left, order, lambda s: s, lambda s: usage(project_id, s))
        book.move(RECEIVABLE, usage(project_id, RECEIVABLE), left)

    key = usage_key(item_id, visit)
    return _Order(user_id, Kind.USAGE, key, build, project_id=project_id, ref=key)


def debit_usage(user_id: str, project_id: str, item_id: str, visit: int, amount_cents: int) -> Posting:
    """Charge one item's billed round (`visit`) to the project: once per item and visit, however often retried."""
    return _post(_usage(user_id, project_id, item_id, visit, amount_cents))


def usage_charge(
    user_id: str, project_id: str, item_id: str, visit: int, amount_cents: int
) -> Callable[[], rows.PostingWrite | None]:
    """debit_usage's writes, for the caller's own transaction (dal.items.mark_finished: an item finishing and its
    charge are one write). Called once per attempt: it re-reads the balance; None if that visit was charged (looked
    up from the second attempt on: a first attempt's duplicate is refused by the transaction)."""
    order = _usage(user_id, project_id, item_id, visit, amount_cents)
    attempts = itertools.count()
    return lambda: _plan(order, check_key=next(attempts) > 0)


def refund(user_id: str, payment_id: str, amount_cents: int, *, refund_id: str) -> Posting:
    """Money back to the card of one payment: at most its unspent cash (never bonus); InsufficientBalance beyond."""
    _positive(amount_cents)

    def build(book: _Book) -> None:
        short = amount_cents - book.get(cash(payment_id))
        if short > 0:
            raise InsufficientBalance(short, f"payment {payment_id} has less left to refund")
        book.move(cash(payment_id), refunded(payment_id), amount_cents)

    return _post(_Order(user_id, Kind.REFUND, refund_id, build, ref=payment_id))


def dispute_credit(user_id: str, dispute_id: str, project_id: str, amount_cents: int, *, key: str) -> Posting:
    """Credit back consumed money of a project (an upheld dispute) to the sources that paid it: owed usage first,
    then cash newest payment first (refundable again, to that payment), then bonus. ExceedsCharge beyond the
    project's charge."""
    _positive(amount_cents)

    def build(book: _Book) -> None:
        charged = sum(cents for _, cents in book.starting(usage(project_id, "")))
        if amount_cents > charged:
            raise ExceedsCharge(f"project {project_id} was charged {charged} cents, less than {amount_cents}")
        sources = [RECEIVABLE, *(cash(p) for p in reversed(book.payments())), BONUS]
        book.draw(amount_cents, sources, lambda s: usage(project_id, s), lambda s: s)
        book.settle()

    return _post(_Order(user_id, Kind.DISPUTE, key, build, project_id=project_id, ref=dispute_id))


def release_unused(user_id: str, project_id: str) -> Posting | None:
    """At completion or early end: the project's unused reservation back to the balance (once per project: a
    project that completes again after a reopen has nothing reserved). None if nothing was reserved."""
    if not balance(user_id).reserved_cents.get(project_id):
        return None
    return release(user_id, project_id, key=project_id)


def posted(user_id: str, kind: str, key: str) -> Posting | None:
    """The posting of this kind and business key, if it was made."""
    row = rows.posting_for_key(user_id, f"{kind}:{key}")
    return None if row is None else _posting(row)


# ---- reading ----------------------------------------------------------------------------------------------------


def balance(user_id: str) -> Balance:
    return balance_of(rows.read_balance(user_id).accounts)


def balance_of(accounts: dict[str, int]) -> Balance:
    """The balance a set of account totals makes (ledger.accounts' answer)."""
    book = _Book(dict(accounts))
    reserved_by_project: dict[str, int] = {}
    for name, cents in book.starting(_RESERVED):
        project_id = name.removeprefix(_RESERVED).partition(":")[0]
        reserved_by_project[project_id] = reserved_by_project.get(project_id, 0) + cents
    refundable = {p: book.get(cash(p)) for p in book.payments() if book.get(cash(p)) > 0}
    return Balance(
        available_cents=book.available(),
        bonus_cents=book.get(BONUS),
        reserved_cents=reserved_by_project,
        receivable_cents=-book.get(RECEIVABLE),
        refundable_by_payment=refundable,
    )


def credit_state(user_id: str, stored: str) -> str:
    """The account's credit state as the API shows it: `stored` (the card's: settling while a top-up is in flight,
    unsettled after a decline), or unsettled while usage is owed (arrears: the ledger is the one source of them)."""
    if stored == CreditState.OK and balance(user_id).receivable_cents > 0:
        return CreditState.UNSETTLED.value
    return stored


def project_charge(user_id: str, project_id: str) -> int:
    """What the project consumed, net of dispute credits (whether paid or still owed)."""
    return charge_of(rows.read_balance(user_id).accounts, project_id)


def charge_of(accounts: dict[str, int], project_id: str) -> int:
    prefix = usage(project_id, "")
    return sum(cents for name, cents in accounts.items() if name.startswith(prefix))


def accounts(user_id: str) -> dict[str, int]:
    """Every non-zero account of the client account (statements, audits, tests)."""
    return rows.read_balance(user_id).accounts


def _parse_cursor(cursor: str) -> tuple[int, int]:
    seq, _, index = cursor.partition(".")
    if not (seq.isdigit() and index.isdigit()):
        raise ValueError(f"not a ledger cursor: {cursor!r}")
    return int(seq), int(index)


def entries(user_id: str, *, cursor: str | None, limit: int) -> tuple[list[Entry], str | None]:
    """The ledger's entries newest posting first (a posting's entries in their order), `limit` at a time; the
    cursor of the next page, or None after the last. ValueError for a malformed cursor."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    start_seq, start_index = _parse_cursor(cursor) if cursor else (None, 0)
    found: list[Entry] = []
    before = None if start_seq is None else start_seq + 1
    while len(found) <= limit:
        page = rows.page_postings(user_id, before_seq=before, limit=limit + 1)
        for row in page:
            for index, (account, cents) in enumerate(row.entries or []):
                if row.seq == start_seq and index < start_index:
                    continue
                found.append(
                    Entry(
                        row.seq or 0,
                        index,
                        row.kind or "",
                        account,
                        cents,
                        row.created_at or 0,
                        row.project_id,
                        row.ref,
                    )
                )
        if len(page) < limit + 1:
            break
        before = page[-1].seq
    shown, rest = found[:limit], found[limit:]
    return shown, (f"{rest[0].seq}.{rest[0].index}" if rest else None)
