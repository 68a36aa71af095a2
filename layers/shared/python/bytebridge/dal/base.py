"""What every table model shares. Table names carry the stage, read when the model module loads
(pynamodb binds names at class creation); everything else stays lazy."""

import os
import time
from functools import cache

from pynamodb.attributes import NumberAttribute
from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from bytebridge.settings import DEFAULT_REGION, get_settings, resource_name


class BaseMeta:
    region = os.environ.get("AWS_REGION", DEFAULT_REGION)
    billing_mode = "PAY_PER_REQUEST"


def now_ms() -> int:
    return int(time.time() * 1000)


class TimestampMs(NumberAttribute):
    """Epoch milliseconds, the unit the documented API uses for timestamps."""


def table(base: str) -> str:
    return resource_name(base)


@cache
def _connection(region: str) -> Connection:
    # One per process: a new Connection builds a new botocore client, which loads the service model (~0.5 s).
    return Connection(region=region)


def transact_write(**kwargs) -> TransactWrite:
    """A TransactWrite on a connection for the current region."""
    return TransactWrite(connection=_connection(get_settings().region), **kwargs)
