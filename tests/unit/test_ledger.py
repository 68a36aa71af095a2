"""The balance ledger's postings, one by one, on emulated DynamoDB (the random walk: test_ledger_property.py)."""

import threading

import pytest

from bytebridge.billing import ledger
from bytebridge.billing.ledger import ExceedsCharge, InsufficientBalance
from bytebridge.clock import now_ms
from bytebridge.dal.items import ItemModel, mark_finished
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import CreditState, ItemStatus, ProjectStatus
from bytebridge.logic.accounts import create_account

P1, P2 = "p1_AAAAAAAA", "p2_BBBBBBBB"


@pytest.fixture
def user(aws) -> str:
    """An account with an empty ledger (the `account` fixture's is funded)."""
    return create_account("ledger@example.com", card_bound=True)[0]


def _sum_is_zero(user_id: str) -> None:
    assert sum(ledger.accounts(user_id).values()) == 0


def test_a_top_up_is_available_and_refundable_to_its_payment(user):
    posting = ledger.top_up(user, "pi_1", 5000, key="pi_1")
    assert posting.entries == (("card:pi_1", -5000), ("cash:pi_1", 5000)) and posting.kind == "topUp"
    balance = ledger.balance(user)
    assert balance.available_cents == 5000 and balance.refundable_by_payment == {"pi_1": 5000}
    assert balance.bonus_cents == 0 and balance.receivable_cents == 0
    _sum_is_zero(user)


def test_a_retried_posting_returns_the_first_and_writes_nothing(user):
    first = ledger.top_up(user, "pi_1", 5000, key="pi_1")
    again = ledger.top_up(user, "pi_1", 5000, key="pi_1")
    assert again == first
    assert ledger.balance(user).available_cents == 5000
    assert len(ledger.entries(user, cursor=None, limit=50)[0]) == 2


def test_the_same_payment_under_another_key_is_refused(user):
    ledger.top_up(user, "pi_1", 5000, key="a")
    with pytest.raises(ledger.DuplicatePayment):
        ledger.top_up(user, "pi_1", 5000, key="b")
    assert ledger.balance(user).available_cents == 5000


def test_reserve_draws_bonus_before_cash_and_refuses_what_the_balance_does_not_hold(user):
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    ledger.bonus(user, 1000, "welcome", key="welcome")
    with pytest.raises(InsufficientBalance) as refused:
        ledger.reserve(user, P1, 6001, key="r")
    assert refused.value.shortfall_cents == 1
    ledger.reserve(user, P1, 1500, key="r")
    accounts = ledger.accounts(user)
    assert accounts[f"reserved:{P1}:bonus"] == 1000 and accounts[f"reserved:{P1}:cash:pi_1"] == 500
    balance = ledger.balance(user)
    assert balance.available_cents == 4500 and balance.reserved_cents == {P1: 1500} and balance.bonus_cents == 0
    assert balance.refundable_by_payment == {"pi_1": 4500}


def test_usage_draws_the_reservation_then_the_balance_then_goes_to_receivable(user):
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    ledger.reserve(user, P1, 1000, key="r")
    ledger.debit_usage(user, P1, "i1", 0, 800)
    ledger.debit_usage(user, P1, "i2", 0, 3000)  # 200 from the reservation, 2800 from the balance
    assert ledger.balance(user).reserved_cents == {} and ledger.balance(user).available_cents == 1200
    ledger.debit_usage(user, P1, "i3", 0, 2000)  # 1200 paid, 800 owed
    balance = ledger.balance(user)
    assert balance.available_cents == 0 and balance.receivable_cents == 800
    assert ledger.credit_state(user, CreditState.OK) == CreditState.UNSETTLED  # arrears: code 16
    assert ledger.project_charge(user, P1) == 5800
    _sum_is_zero(user)


def test_a_retried_usage_debit_for_the_same_item_and_visit_charges_once(user):
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    first = ledger.debit_usage(user, P1, "i1", 0, 700)
    assert ledger.debit_usage(user, P1, "i1", 0, 700) == first
    ledger.debit_usage(user, P1, "i1", 1, 700)  # another billed visit of the item is another charge
    assert ledger.project_charge(user, P1) == 1400


def test_a_top_up_settles_what_is_owed_first_and_takes_over_its_usage(user):
    ledger.debit_usage(user, P1, "i1", 0, 700)
    assert ledger.balance(user).receivable_cents == 700
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    accounts = ledger.accounts(user)
    assert accounts == {"card:pi_1": -5000, "cash:pi_1": 4300, f"usage:{P1}:cash:pi_1": 700}
    assert ledger.credit_state(user, CreditState.OK) == CreditState.OK
    assert ledger.balance(user).refundable_by_payment == {"pi_1": 4300}


def test_release_gives_the_rest_of_the_reservation_back_to_its_sources(user):
    ledger.bonus(user, 300, "welcome", key="welcome")
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    ledger.reserve(user, P1, 2000, key="r1")
    ledger.reserve(user, P2, 1000, key="r2")
    ledger.debit_usage(user, P1, "i1", 0, 500)  # the reserved bonus (300) first, then reserved cash (200)
    ledger.release(user, P1, key="done")
    balance = ledger.balance(user)
    assert balance.reserved_cents == {P2: 1000} and balance.bonus_cents == 0
    assert balance.refundable_by_payment == {"pi_1": 3800} and balance.available_cents == 3800
    assert ledger.release(user, P1, key="done").entries  # the retry answers the first release


def test_refunds_go_to_one_payment_at_most_its_unspent_cash_and_never_bonus(user):
    ledger.bonus(user, 1000, "welcome", key="welcome")
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    ledger.top_up(user, "pi_2", 5000, key="pi_2")
    ledger.debit_usage(user, P1, "i1", 0, 3000)  # bonus 1000, then pi_1 (oldest) 2000
    with pytest.raises(InsufficientBalance):
        ledger.refund(user, "pi_1", 3001, refund_id="re_1")
    ledger.refund(user, "pi_1", 3000, refund_id="re_1")
    ledger.refund(user, "pi_2", 5000, refund_id="re_2")
    balance = ledger.balance(user)
    assert balance.available_cents == 0 and balance.refundable_by_payment == {}
    assert ledger.accounts(user)["refunded:pi_1"] == 3000


def test_a_dispute_credit_goes_back_to_the_payment_that_paid_and_is_refundable_again(user):
    ledger.bonus(user, 500, "welcome", key="welcome")
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    ledger.debit_usage(user, P1, "i1", 0, 2500)  # bonus 500, pi_1 2000
    ledger.debit_usage(user, P2, "i2", 0, 1000)
    with pytest.raises(ExceedsCharge):
        ledger.dispute_credit(user, "d1", P1, 2501, key="d1")
    ledger.dispute_credit(user, "d1", P1, 2200, key="d1")  # cash first (2000), then bonus (200)
    assert ledger.project_charge(user, P1) == 300 and ledger.project_charge(user, P2) == 1000
    balance = ledger.balance(user)
    assert balance.refundable_by_payment == {"pi_1": 4000} and balance.bonus_cents == 200


def test_entries_page_newest_first_with_a_cursor(user):
    for n in range(5):
        ledger.top_up(user, f"pi_{n}", 5000, key=f"pi_{n}")
    seen, cursor = [], None
    while True:
        page, cursor = ledger.entries(user, cursor=cursor, limit=3)
        seen += page
        if cursor is None:
            break
    assert [(e.seq, e.index) for e in seen] == [(s, i) for s in range(5, 0, -1) for i in (0, 1)]
    with pytest.raises(ValueError):
        ledger.entries(user, cursor="nonsense", limit=3)


def test_amounts_must_be_positive_whole_cents(user):
    for amount in (0, -5, 1.5, True):
        with pytest.raises(ValueError):
            ledger.top_up(user, "pi_x", amount, key="x")  # type: ignore[arg-type]


def _race(work, threads: int = 4) -> None:
    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def test_racing_postings_on_one_account_are_retried_never_lost(user):
    ledger.top_up(user, "pi_1", 5000, key="pi_1")

    _race(lambda t: [ledger.debit_usage(user, P1, f"t{t}-{n}", 0, 7) for n in range(10)])

    assert ledger.project_charge(user, P1) == 4 * 10 * 7
    assert ledger.balance(user).available_cents == 5000 - 280
    assert len(ledger.entries(user, cursor=None, limit=200)[0]) == 2 + 40 * 2  # the top-up and one posting each


def test_items_finishing_at_once_are_each_charged_once_in_their_finish(user):
    ledger.top_up(user, "pi_1", 5000, key="pi_1")
    now = now_ms()
    ProjectModel(
        user,
        P1,
        name="race",
        type="image",
        task_type="single_choice",
        created_at=now,
        updated_at=now,
        status=ProjectStatus.IN_PROGRESS.value,
        processing_count=20,
    ).save()
    items = [
        ItemModel(
            P1,
            f"i{n:02d}",
            user_id=user,
            resource_type="image",
            url=f"https://x.example/{n}.jpg",
            status=ItemStatus.PROCESSING.value,
            created_at=now,
            updated_at=now,
        )
        for n in range(20)
    ]
    for item in items:
        item.save()
    result = {"endNode": "end", "path": ["ask", "end"], "answers": {}}

    def finish(t: int) -> None:
        for item in items[t::4]:
            charge = ledger.usage_charge(user, P1, item.item_id, 0, 3)
            assert mark_finished(item, user, 0, result, 3, charge)
            assert not mark_finished(item, user, 0, result, 3, ledger.usage_charge(user, P1, item.item_id, 0, 3))

    _race(finish)

    assert ledger.project_charge(user, P1) == 20 * 3
    assert ProjectModel.get(user, P1, consistent_read=True).amount_spent_cents == 20 * 3
    assert all(ledger.posted(user, ledger.Kind.USAGE, ledger.usage_key(item.item_id, 0)) for item in items)
