"""Moved to tests.support.delivery; kept so that imports of the old path keep working."""

from tests.support.delivery import *  # noqa: F403
