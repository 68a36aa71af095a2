"""Where a project's objects live in S3: everything of one project (copies of uploaded files in the data
bucket, export files in the exports bucket) sits under one key prefix, so retention and deletion purge a
project with a prefix listing instead of tracking keys."""

from collections.abc import Iterator

from bytebridge.aws import client


def project_prefix(user_id: str, project_id: str) -> str:
    """<userId>/<projectId>/: the layout of the exports (bytebridge.exports.jobs.object_key) and data buckets."""
    return f"{user_id}/{project_id}/"


def _keys(bucket: str, prefix: str) -> Iterator[list[dict]]:
    for page in client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        if contents := page.get("Contents"):
            yield [{"Key": obj["Key"]} for obj in contents]  # pages hold ≤ 1000 keys: one delete call each


def delete_prefix(bucket: str, prefix: str) -> int:
    """Delete every object under `prefix`; returns how many. Deleting nothing is fine (idempotent)."""
    deleted = 0
    for batch in _keys(bucket, prefix):
        out = client("s3").delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        if errors := out.get("Errors"):
            raise RuntimeError(f"could not delete {len(errors)} objects under s3://{bucket}/{prefix}")
        deleted += len(batch)
    return deleted
