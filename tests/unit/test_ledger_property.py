"""The ledger under a random walk (hypothesis, stateful) on emulated DynamoDB: top-ups, bonuses, reservations,
usage debits (with retries and duplicates), releases, refunds and dispute credits, interleaved across projects.

After every step, from what is stored:
- every posting sums to zero, and the balance row equals the sum of every entry ever posted, account by account;
- client money is never negative (cash, bonus, reservations, usage), receivable never positive;
- no payment was refunded more than it brought in, and refunds only ever come out of that payment's cash (bonus is
  never refunded);
- each project's charge is the seed's formula over its debits (Σ tasks × unit price) minus its dispute credits;
- money is conserved: available + reserved − owed = top-ups + bonuses − refunds − charges.
"""

import itertools
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from bytebridge import ids
from bytebridge.annotations import TaskType
from bytebridge.billing import ledger
from bytebridge.billing.ledger import ExceedsCharge, InsufficientBalance
from bytebridge.dal.ledger import LedgerModel, posting_sk, read_balance
from bytebridge.pricing import UNIT_PRICE_CENTS

PROJECTS = ("p1_AAAAAAAA", "p2_BBBBBBBB", "p3_CCCCCCCC")
EXAMPLES, STEPS = 60, 50  # up to 3,000 steps (hypothesis ends some runs early)
MIN_CHECKED_STEPS = 1_500

projects = st.sampled_from(PROJECTS)
cents = st.integers(min_value=1, max_value=20_000)


class LedgerWalk(RuleBasedStateMachine):
    checked = 0  # steps after which the invariants were checked, over every run

    def __init__(self) -> None:
        super().__init__()
        self.user = ids.new_user_id()
        self.counter = itertools.count()
        self.seen_seq = 0
        self.sums: dict[str, int] = {}  # Σ of every stored entry, by account
        self.payments: list[str] = []
        self.brought_in: dict[str, int] = {}
        self.debits: dict[tuple[str, str, int], tuple[int, ledger.Posting]] = {}  # (project, item, visit)
        self.formula: dict[str, int] = dict.fromkeys(PROJECTS, 0)  # Σ tasks × unit price − dispute credits
        self.top_ups = self.bonuses = self.refunds = 0
        self.first_top_up: dict[str, ledger.Posting] = {}
        self.done: list[tuple[Callable[[], ledger.Posting], ledger.Posting]] = []  # refunds, credits: (again, first)
        self.accounts: dict[str, int] = {}  # the stored balance row, as read after the last step

    def _balance(self) -> ledger.Balance:
        return ledger.balance_of(self.accounts)

    def _key(self, prefix: str) -> str:
        return f"{prefix}-{next(self.counter)}"

    # ---- money in ------------------------------------------------------------------------------------------

    @rule(amount=cents)
    def top_up(self, amount: int) -> None:
        payment = self._key("pi")
        self.first_top_up[payment] = ledger.top_up(self.user, payment, amount, key=payment)
        self.payments.append(payment)
        self.brought_in[payment] = amount
        self.top_ups += amount

    @precondition(lambda self: self.payments)
    @rule(data=st.data())
    def top_up_delivered_twice(self, data: st.DataObject) -> None:
        """The webhook and the charge's own answer both report one payment: credited once."""
        payment = data.draw(st.sampled_from(self.payments))
        again = ledger.top_up(self.user, payment, self.brought_in[payment], key=payment)
        assert again == self.first_top_up[payment]

    @rule(amount=cents)
    def bonus(self, amount: int) -> None:
        ledger.bonus(self.user, amount, "random walk", key=self._key("bonus"))
        self.bonuses += amount

    # ---- projects ------------------------------------------------------------------------------------------

    @rule(project=projects, amount=cents)
    def reserve(self, project: str, amount: int) -> None:
        available = self._balance().available_cents
        try:
            ledger.reserve(self.user, project, amount, key=self._key("reserve"))
        except InsufficientBalance as short:
            assert amount > available and short.shortfall_cents == amount - available
        else:
            assert amount <= available

    @rule(project=projects)
    def release(self, project: str) -> None:
        held = self._balance().reserved_cents.get(project, 0)
        posting = ledger.release(self.user, project, key=self._key("release"))
        prefix = ledger.reserved(project, "")
        assert sum(c for account, c in posting.entries if account.startswith(prefix)) == -held  # all of it

    @rule(project=projects, task_type=st.sampled_from(list(TaskType)), tasks=st.integers(1, 6))
    def debit_usage(self, project: str, task_type: TaskType, tasks: int) -> None:
        item, visit = self._key("i"), 0
        amount = tasks * UNIT_PRICE_CENTS[task_type]  # the seed's formula for one output
        posting = ledger.debit_usage(self.user, project, item, visit, amount)
        self.debits[(project, item, visit)] = (amount, posting)
        self.formula[project] += amount

    @precondition(lambda self: self.debits)
    @rule(data=st.data())
    def retry_usage(self, data: st.DataObject) -> None:
        """A redelivered finish of an item already charged: the first posting, nothing more charged."""
        (project, item, visit), (amount, first) = data.draw(st.sampled_from(sorted(self.debits.items())))
        assert ledger.debit_usage(self.user, project, item, visit, amount) == first

    # ---- money out -----------------------------------------------------------------------------------------

    @precondition(lambda self: self.payments)
    @rule(data=st.data(), amount=cents)
    def refund(self, data: st.DataObject, amount: int) -> None:
        payment = data.draw(st.sampled_from(self.payments))
        refundable = self._balance().refundable_by_payment.get(payment, 0)
        refund_id = self._key("re")
        try:
            first = ledger.refund(self.user, payment, amount, refund_id=refund_id)
        except InsufficientBalance:
            assert amount > refundable
        else:
            assert amount <= refundable
            self.refunds += amount
            self.done.append((lambda: ledger.refund(self.user, payment, amount, refund_id=refund_id), first))

    @rule(project=projects, amount=st.integers(1, 3_000))
    def dispute_credit(self, project: str, amount: int) -> None:
        charged = ledger.charge_of(self.accounts, project)
        dispute = self._key("dp")
        try:
            first = ledger.dispute_credit(self.user, dispute, project, amount, key=dispute)
        except ExceedsCharge:
            assert amount > charged
        else:
            assert amount <= charged
            self.formula[project] -= amount
            self.done.append((lambda: ledger.dispute_credit(self.user, dispute, project, amount, key=dispute), first))

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def retry_money_out(self, data: st.DataObject) -> None:
        """A refund or dispute credit sent again (a webhook replayed, an operator's double click): the first posting,
        even when the balance could no longer pay it a second time."""
        again, first = data.draw(st.sampled_from(self.done))
        assert again() == first

    # ---- what must hold after every step -------------------------------------------------------------------

    @invariant()
    def books_hold(self) -> None:
        LedgerWalk.checked += 1
        stored = read_balance(self.user)  # the balance row: every account's total, and how many postings
        for seq in range(self.seen_seq + 1, stored.seq + 1):
            posting = LedgerModel.get(self.user, posting_sk(seq), consistent_read=True)
            assert posting.seq == self.seen_seq + 1  # numbered without gaps
            self.seen_seq = posting.seq
            entries = posting.entries or []
            assert sum(amount for _, amount in entries) == 0, posting.entries
            for account, amount in entries:
                self.sums[account] = self.sums.get(account, 0) + amount
                if account.startswith("refunded:"):  # out of that payment's cash only: never bonus
                    payment = account.removeprefix("refunded:")
                    assert all(a in (account, f"cash:{payment}") for a, _ in entries), entries
        self.accounts = accounts = stored.accounts
        # The balance row is the sum of every entry ever posted.
        assert accounts == {account: total for account, total in self.sums.items() if total}
        # Client money is never negative; what is owed is receivable's.
        for account, total in accounts.items():
            if account.startswith(("cash:", "reserved:", "usage:", "refunded:")) or account == "bonus":
                assert total >= 0, (account, total)
            if account == "receivable":
                assert total <= 0
        # No payment refunded beyond what it brought in.
        for payment, amount in self.brought_in.items():
            assert -accounts[f"card:{payment}"] == amount
            assert accounts.get(f"refunded:{payment}", 0) <= amount
        # Each project's charge: Σ tasks × unit price over its debits, minus its dispute credits.
        for project in PROJECTS:
            assert ledger.charge_of(accounts, project) == self.formula[project]
        # Money is conserved.
        balance = self._balance()
        held = balance.available_cents + sum(balance.reserved_cents.values()) - balance.receivable_cents
        assert held == self.top_ups + self.bonuses - self.refunds - sum(self.formula.values())


@pytest.mark.usefixtures("aws")
def test_the_ledger_holds_under_a_random_walk() -> None:
    LedgerWalk.checked = 0
    run_state_machine_as_test(
        LedgerWalk,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,  # nothing written into the working tree
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
    assert LedgerWalk.checked >= MIN_CHECKED_STEPS, LedgerWalk.checked  # thousands of steps, really run
