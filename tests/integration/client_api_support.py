"""Moved to tests.support.client_api; kept so that imports of the old path keep working."""

from tests.support.client_api import *  # noqa: F403
