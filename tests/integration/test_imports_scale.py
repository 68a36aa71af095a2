"""Bucket imports at scale (issue 12: "test with 100,000 keys locally"): 100,000 objects from the local client bucket
(emulated S3) and 100,000 from the GCS emulator, paged 1,000 keys at a time by the import job, with every count
right and no duplicate on a re-run. Each runs in its own xdist group (one worker each).

The admission checks of the 100,000 items are queued here, not run inline (they are the ingest-check function's work
and have their own tests): the imports end in status "checking", their counts final. bench/import_bench.py prints
the throughput and the import function's peak memory."""

import pytest

from bytebridge.dal.imports import get_import
from bytebridge.dal.projects import get_live_project
from bytebridge.settings import get_settings
from local.client_bucket import fill_s3_in_process, sample_objects
from local.gcs import running, sample_key_file
from local.scheduler import drain
from tests.integration.test_imports import IMPORT_GCS, IMPORT_S3, IMPORTS, RETRIEVE_IMPORT
from tests.support.client_api import FRAME_CREATE, create_project

KEYS = 100_000


@pytest.fixture
def queued_checks(aws, monkeypatch):
    monkeypatch.setenv("INGEST_CHECK_INLINE", "false")
    get_settings.cache_clear()


def run_import(api, path: str, params: dict) -> dict:
    out = api.call(path, params)
    assert out["code"] == 0, out
    drain(IMPORTS, max_batches=1000)
    done = api.call(RETRIEVE_IMPORT, {"projectId": params["projectId"], "importId": out["data"]["importId"]})
    assert done["code"] == 0, done
    return done["data"]


def check_twice(api, path: str, params: dict) -> None:
    first = run_import(api, path, params)
    assert first["counts"] == {"listed": KEYS, "added": KEYS, "skippedDuplicate": 0, "refused": 0}, first
    assert first["status"] == "checking" and first["error"] is None  # every key admitted; the checks are queued
    assert get_import(first["importId"]).pages == KEYS // 1000
    project = get_live_project(api.user_id, params["projectId"])
    assert project.checking_count == KEYS and project.resources_submitted == KEYS

    again = run_import(api, path, params)
    assert again["counts"] == {"listed": KEYS, "added": 0, "skippedDuplicate": KEYS, "refused": 0}, again
    assert again["status"] == "done"  # nothing of its own to wait for
    project = get_live_project(api.user_id, params["projectId"])
    assert project.checking_count == KEYS and project.resources_submitted == KEYS


@pytest.mark.xdist_group("import-scale-s3")
def test_100k_keys_from_the_local_client_bucket(api, queued_checks):
    assert fill_s3_in_process("client-scale", sample_objects(KEYS)) == KEYS
    project_id = create_project(api, FRAME_CREATE)
    params = {
        "projectId": project_id,
        "bucket": "client-scale",
        "accessKeyId": "AKIACLIENTEXAMPLE001",
        "secretAccessKey": "client-secret-key-never-shown-0123456789abcd",
    }
    check_twice(api, IMPORT_S3, params)


@pytest.mark.xdist_group("import-scale-gcs")
def test_100k_objects_from_the_gcs_emulator(api, queued_checks):
    emulator = running()
    assert emulator is not None
    assert emulator.seed("client-scale", sample_objects(KEYS)) == KEYS
    project_id = create_project(api, FRAME_CREATE)
    check_twice(api, IMPORT_GCS, {"projectId": project_id, "bucket": "client-scale", "keyFile": sample_key_file()})
