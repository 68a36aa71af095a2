"""Moved to tests.support.engine; kept so that imports of the old path keep working."""

from tests.support.engine import *  # noqa: F403
from tests.support.timing import settings  # noqa: F401
