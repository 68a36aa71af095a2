"""Cached boto3 clients, built lazily so imports stay free of I/O."""

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from bytebridge.settings import get_settings


@cache
def client(service: str) -> Any:
    return boto3.client(service, region_name=get_settings().region)


@cache
def s3_presigner() -> Any:
    """An S3 client for presigned URLs: SigV4 (boto3 presigns with SigV2 by default, which S3 refuses for
    buckets created since mid-2020), naming settings.s3_public_endpoint when one is set (local runtime)."""
    settings = get_settings()
    return boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.s3_public_endpoint or None,
        config=Config(signature_version="s3v4"),
    )


def reset_clients() -> None:
    """Forget cached clients (tests switch emulated accounts between runs)."""
    client.cache_clear()
    s3_presigner.cache_clear()
    get_settings.cache_clear()
