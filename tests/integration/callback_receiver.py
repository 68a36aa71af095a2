"""Moved to tests.support.callback_receiver; kept so that imports of the old path keep working."""

from tests.support.callback_receiver import *  # noqa: F403
