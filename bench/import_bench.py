"""Bucket import throughput and memory: N keys (default 100,000) from the local client bucket (emulated S3) or the
GCS emulator, imported by the real import job (bytebridge.logic.imports.run_step through functions/import_job, fed
by the imports queue) into a fresh project on the emulated platform.

    PYTHONPATH=layers/shared/python:functions:. .venv/bin/python bench/import_bench.py [--store s3|gcs] [--keys N]

Prints keys per second for the import (the call, then every run of the job until the listing ends) and for a
re-run of the same import (every key a duplicate), and the import function's peak memory: tracemalloc's peak of
Python allocations during one run of the job over one page (what an invocation holds: a page of keys and its
admission; measured apart, tracemalloc slows the runs it traces), and the process's peak RSS (resource.ru_maxrss:
the interpreter, moto's whole emulated AWS and the bucket included, so an upper bound far above a Lambda's).
The admission checks are queued, not run (ingest-check's work).
"""

import argparse
import os
import resource
import time
import tracemalloc
from typing import Any

os.environ["INGEST_CHECK_INLINE"] = "false"  # before the platform reads its settings
PAGES_TRACED = 5
IMPORT_S3, IMPORT_GCS = "/api/v1/projects/importS3", "/api/v1/projects/importGCS"
RETRIEVE_IMPORT = "/api/v1/projects/retrieveImport"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=("s3", "gcs"), default="s3")
    parser.add_argument("--keys", type=int, default=100_000)
    args = parser.parse_args()

    from bytebridge.aws import client
    from bytebridge.logic.accounts import create_account
    from bytebridge.logic.imports import ImportMessage, run_step
    from bytebridge.settings import resource_name
    from infra.catalog import QUEUES
    from local.client_bucket import fill_s3_in_process, sample_objects
    from local.gcs import running, sample_key_file
    from local.reset import ReusablePlatform
    from local.scheduler import drain
    from tests.support.client import ClientApi
    from tests.support.client_api import FRAME_CREATE, create_project

    platform = ReusablePlatform()
    platform.use()
    imports = next(spec for spec in QUEUES if spec.name == "imports")
    try:
        started = time.perf_counter()
        if args.store == "s3":
            fill_s3_in_process("bench-bucket", sample_objects(args.keys))
            path = IMPORT_S3
            params: dict[str, Any] = {
                "bucket": "bench-bucket",
                "accessKeyId": "AKIABENCHEXAMPLE0001",
                "secretAccessKey": "bench",
            }
        else:
            emulator = running()
            assert emulator is not None
            emulator.seed("bench-bucket", sample_objects(args.keys))
            path, params = IMPORT_GCS, {"bucket": "bench-bucket", "keyFile": sample_key_file()}
        print(f"{args.keys:,} objects put in the {args.store} bucket in {time.perf_counter() - started:.1f} s")
        api = ClientApi(*create_account("bench@example.com", card_bound=True))
        project_id = create_project(api, FRAME_CREATE)

        for label in ("import", "re-run (all duplicates)"):
            started = time.perf_counter()
            out = api.call(path, {"projectId": project_id, **params})
            assert out["code"] == 0, out
            drain(imports, max_batches=10_000)
            seconds = time.perf_counter() - started
            done = api.call(RETRIEVE_IMPORT, {"projectId": project_id, "importId": out["data"]["importId"]})["data"]
            counts = done["counts"]
            print(
                f"{label}: {counts['listed']:,} keys listed, {counts['added']:,} added, "
                f"{counts['skippedDuplicate']:,} duplicates in {seconds:.1f} s = {counts['listed'] / seconds:,.0f} "
                f"keys/s; status {done['status']}"
            )

        # Memory of the job (tracemalloc slows allocation, so apart from the timed runs): a fresh import's first
        # pages, each run as an invocation low on time (one page, then its next page queued).
        fresh = create_project(api, FRAME_CREATE, projectName="memory")
        import_id = api.call(path, {"projectId": fresh, **params})["data"]["importId"]
        client("sqs").purge_queue(QueueUrl=client("sqs").get_queue_url(QueueName=resource_name("imports"))["QueueUrl"])
        peaks = []
        for page in range(PAGES_TRACED):
            tracemalloc.start()
            run_step(ImportMessage(import_id=import_id, page=page), lambda: 0)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        print(
            f"import job: peak Python allocations per run of one page (1,000 keys) {max(peaks) / 2**20:.1f} MiB "
            f"(max of {PAGES_TRACED} runs)"
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS {rss:.0f} MiB (emulated AWS, the bucket and the platform included)")
    finally:
        platform.close()


if __name__ == "__main__":
    main()
