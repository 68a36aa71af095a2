"""Cached boto3 clients, built lazily so imports stay free of I/O."""

from functools import cache
from typing import Any

import boto3

from bytebridge.settings import get_settings


@cache
def client(service: str) -> Any:
    return boto3.client(service, region_name=get_settings().region)


def reset_clients() -> None:
    """Forget cached clients (tests switch emulated accounts between runs)."""
    client.cache_clear()
    get_settings.cache_clear()
