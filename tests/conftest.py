"""Shared fixtures: emulated AWS with the platform provisioned once per test process and reset before every test,
accounts, and signed API calls (tests.support.client).

`aws` gives a test an empty, just-provisioned platform: the emulator starts and provisions on first use in each
pytest process (each xdist worker), and local.reset.reset_platform empties it before every test (tables, queues,
buckets, executions, sent mail), puts the settings environment back, resets bytebridge.clock and clears the
per-process caches. A test that needs other settings changes them for itself (tests.support.timing.settings,
or monkeypatch.setenv + get_settings.cache_clear): nothing provisioned depends on them.
"""

from collections.abc import Iterator

import pytest

from local.emulator import emulated_aws
from local.moto_clock import moto_on_the_clock
from local.provision import provision
from local.reset import Baseline, capture, reset_platform, stop_executions
from tests.support.client import ClientApi, signed_event

__all__ = ["ClientApi", "signed_event"]  # tests import them from here too


class _Platform:
    def __init__(self, baseline: Baseline):
        self.baseline = baseline

    def reset(self) -> None:
        self.baseline = reset_platform(self.baseline)


@pytest.fixture(scope="session")
def emulated_platform() -> Iterator[_Platform]:
    """Emulated AWS with every table, bucket, key, queue, function and state machine of the platform, once per
    test process; moto's timers follow bytebridge.clock (local.moto_clock)."""
    with emulated_aws(), moto_on_the_clock():
        provision()
        yield _Platform(capture())
        stop_executions()


@pytest.fixture
def aws(emulated_platform: _Platform) -> Iterator[None]:
    """The provisioned platform, empty, at the real time."""
    emulated_platform.reset()
    yield
    stop_executions()  # now: their threads would otherwise run on into the next tests


@pytest.fixture
def account(aws):
    from bytebridge.logic.accounts import create_account

    user_id, secret = create_account("client@example.com", card_bound=True)
    return user_id, secret


@pytest.fixture
def api(account) -> ClientApi:
    return ClientApi(*account)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make `--dist loadgroup` honour xdist_group marks. pytest-xdist 3.8 tags a grouped test by rewriting
    item._nodeid, which pytest 9.2 no longer reads (the id lives in item._id): the tags were lost, every group was
    spread over both workers, and each worker paid for the group's session fixtures (the CDK synth, the local
    platform and its simulated project). Does nothing when xdist's own tagging took effect."""
    if not config.getoption("loadgroup", default=False):
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default")) for mark in marks})
        if groups and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(groups)}")
