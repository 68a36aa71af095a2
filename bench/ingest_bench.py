"""Admission checks: how long submitResource takes for N links (admitted, then each item's head fetched from the
local web stand-in, identified and recorded), locally on emulated AWS, inline as the local runtime runs it and
through the ingest-checks queue (the ingest-check Lambda's code, pumped by the local scheduler).

    PYTHONPATH=layers/shared/python:functions:. .venv/bin/python bench/ingest_bench.py [--links 1000]

The emulated DynamoDB dominates (moto's item writes); on AWS the fetches run in the ingest-check Lambda, 25
items per message, 8 at a time.
"""

import argparse
import os
import time

OPTIONS = [{"value": "cat"}, {"value": "dog"}]


def run(links: int, inline: bool) -> tuple[float, float, int, int]:
    """(seconds in submitResource, seconds draining the queue, ready items, refused items)."""
    from bytebridge.dal.accounts import get_account
    from bytebridge.dal.projects import get_project
    from bytebridge.logic.accounts import create_account
    from bytebridge.logic.projects import create_project
    from bytebridge.logic.resources import submit_resources
    from bytebridge.models.client_api import CreateProjectParams, SubmitResourceParams
    from bytebridge.settings import get_settings
    from infra.catalog import QUEUES
    from local.scheduler import drain

    os.environ["INGEST_CHECK_INLINE"] = "true" if inline else "false"
    get_settings.cache_clear()
    user_id, _ = create_account(f"bench-{inline}@example.com", card_bound=True)
    account = get_account(user_id)
    assert account is not None
    params = {"projectName": f"ingest {inline}", "type": "image_classification", "taskType": "single_choice"}
    project = create_project(
        account, CreateProjectParams.model_validate({**params, "question": "cat?", "options": OPTIONS})
    )
    urls = [f"https://cdn.example.com/bench/{n:05d}_{300 + n % 50}x{200 + n % 30}.jpg" for n in range(links)]
    started = time.perf_counter()
    submit = {"projectId": project.project_id, "resourceType": "image", "resourceURLs": urls}
    submit_resources(account, SubmitResourceParams.model_validate(submit))
    submitted = time.perf_counter() - started
    started = time.perf_counter()
    queue = next(queue for queue in QUEUES if queue.name == "ingest-checks")
    drain(queue, max_batches=links)
    drained = time.perf_counter() - started
    row = get_project(user_id, project.project_id)
    assert row is not None and row.checking_count == 0, "items left unchecked"
    return submitted, drained, row.item_count, row.refused_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1000)
    args = parser.parse_args()
    from local.emulator import emulated_aws
    from local.provision import provision

    with emulated_aws():
        provision()
        for inline in (True, False):
            submitted, drained, ready, refused = run(args.links, inline)
            total = submitted + drained
            how = "inline (local runtime)" if inline else "queued (ingest-check Lambda)"
            print(
                f"{args.links} links, {how}: submitResource {submitted:.1f} s, queue {drained:.1f} s, "
                f"{args.links / total:.0f} links/s; ready {ready}, refused {refused}"
            )


if __name__ == "__main__":
    main()
