"""Shared fixtures: emulated AWS with the platform provisioned once per test process and reset before every test,
accounts, and signed API calls (tests.support.client).

`aws` gives a test an empty, just-provisioned platform (local.reset.ReusablePlatform): provisioned on first use in
each pytest process (each xdist worker), then before every test emptied (tables, queues, buckets, executions, sent
mail), its settings environment put back, bytebridge.clock reset and the per-process caches cleared. moto's timers
follow bytebridge.clock (the test-clock group of local.patches). Tests that do not use it run with the platform
switched off (no moto, no patches), as before. A test that needs other settings changes them for itself
(tests.support.timing.settings, or monkeypatch.setenv + get_settings.cache_clear): nothing provisioned depends on
them.
"""

from collections.abc import Iterator

import pytest

from bytebridge import clock
from local.reset import ReusablePlatform
from tests.support.client import ClientApi, signed_event
from tests.support.client_api import fund

__all__ = ["ClientApi", "signed_event"]  # tests import them from here too

_PLATFORM = ReusablePlatform()


@pytest.fixture(scope="session")
def emulated_platform() -> Iterator[ReusablePlatform]:
    yield _PLATFORM
    _PLATFORM.close()


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> None:
    """Every test starts at the real time, and with the platform switched off unless it uses it."""
    clock.reset()
    if "emulated_platform" not in request.fixturenames:
        _PLATFORM.suspend()


@pytest.fixture
def aws(emulated_platform: ReusablePlatform) -> Iterator[None]:
    """The provisioned platform, empty, at the real time."""
    emulated_platform.use()
    yield
    emulated_platform.release()


@pytest.fixture
def account(aws):
    from bytebridge.logic.accounts import create_account

    user_id, secret = create_account("client@example.com", card_bound=True)
    fund(user_id)
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
