"""The trial's sample size (docs: 20 items or 5%, whichever is larger, never more than the project has; operators
may choose another size) and the statuses' wire codes (setProject reports the index: new ones only append)."""

import pytest

from bytebridge.enums import ProjectStatus
from bytebridge.logic.lifecycle import trial_sample_size


@pytest.mark.parametrize(
    ("items", "chosen", "size"),
    [
        (0, None, 0),
        (4, None, 4),
        (20, None, 20),
        (100, None, 20),
        (400, None, 20),
        (401, None, 21),
        (10_000, None, 500),
        (100, 50, 50),
        (30, 50, 30),
        (100, 1, 1),
    ],
)
def test_trial_sample_size(items, chosen, size):
    assert trial_sample_size(items, chosen) == size


def test_status_codes_keep_their_numbers():
    assert [s.value for s in ProjectStatus][:9] == [
        "draft",
        "checking",
        "trial",
        "trialDone",
        "waitingPayment",
        "inProgress",
        "paused",
        "completed",
        "deleted",
    ]
    assert ProjectStatus.ENDING.code == 9 and ProjectStatus.ENDING.opened
