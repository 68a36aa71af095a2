"""The estimate's arithmetic (seed 付费并启动项目): the accepted trial's cost per item × the items left, rounded up."""

from bytebridge.billing.estimate import estimate
from bytebridge.dal.projects import ProjectModel


def _project(finished: int, cost: int, left: int) -> ProjectModel:
    return ProjectModel("U_x", "p1_xxxxxxxx", trial_finished=finished, trial_cost_cents=cost, not_started_count=left)


def test_the_trial_average_times_the_items_left_rounded_up_to_the_cent():
    figures = estimate(_project(finished=3, cost=10, left=5))  # 10/3 cents per item × 5 = 16.67

    assert figures.estimate_cents == 17 and figures.items_to_label == 5
    assert figures.average_item_cents == 3.33 and figures.trial_items == 3 and figures.trial_cost_cents == 10


def test_nothing_left_to_label_costs_nothing():
    assert estimate(_project(finished=20, cost=160, left=0)).estimate_cents == 0


def test_a_failed_trial_item_counts_as_an_item_that_cost_nothing():
    # 4 trial items finished, one failed (free): 24 cents over 4 items, not over 3.
    assert estimate(_project(finished=4, cost=24, left=100)).estimate_cents == 600
