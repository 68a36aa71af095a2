"""The ledger's cost and speed on emulated AWS (the local runtime's moto, in-process), printed:

1. usage debits per second: `ledger.debit_usage` one after another on one client account (each: the business
   key's read, the balance row's read, one TransactWriteItems of three rows), and the same from several threads at
   once on the same account (every posting is conditional on the balance row it read: racing ones plan again);
2. DynamoDB writes per labeled item: an item finishing (`dal.items.mark_finished`) with its usage debit in the
   same transaction, against the same finish without billing; and the write units of each, as on-demand bills them.

    PYTHONPATH=layers/shared/python:functions:. .venv/bin/python -m bench.billing_bench [--debits 500] [--items 200]

moto serializes requests (one emulator lock), so the figures are the emulator's, not DynamoDB's: what they show is
the number of requests and units per operation, and that racing postings are retried, not lost.
"""

import argparse
import logging
import os
import threading
import time
from collections import Counter

from bench.aws_meter import Meter, metered_aws
from bytebridge import ids
from bytebridge.billing import ledger
from bytebridge.clock import now_ms
from bytebridge.dal.items import ItemModel, mark_finished
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import ItemStatus, ProjectStatus

PROJECT = "p1_BENCHxxx"
PRICE_CENTS = 8  # classify (2) then box (6): one cat through classify-then-box


def _dynamodb(meter: Meter) -> tuple[Counter, float, float]:
    calls = Counter({op: n for (service, op), n in meter.tally.calls.items() if service == "dynamodb"})
    return calls, sum(meter.tally.write_units.values()), sum(meter.tally.read_units.values())


def _counted(meter: Meter, run) -> tuple[float, Counter, float, float]:
    """Run `run` with the meter counting from zero; (seconds, DynamoDB calls by operation, WRU, RRU)."""
    meter.tally.calls.clear()
    meter.tally.write_units.clear()
    meter.tally.read_units.clear()
    meter.counting = True
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    meter.counting = False
    calls, writes, reads = _dynamodb(meter)
    return seconds, calls, writes, reads


def _per(calls: Counter, n: int) -> str:
    return ", ".join(f"{op} {count / n:.2f}" for op, count in sorted(calls.items()))


def bench_debits(meter: Meter, debits: int, threads: int) -> None:
    user = ids.new_user_id()
    with meter.uncounted():
        ledger.top_up(user, "pi_bench", 10_000_000, key="pi_bench")

    def sequential() -> None:
        for n in range(debits):
            ledger.debit_usage(user, PROJECT, f"i{n}", 0, PRICE_CENTS)

    seconds, calls, writes, reads = _counted(meter, sequential)
    print(f"usage debits, one after another: {debits} in {seconds:.2f} s = {debits / seconds:,.0f} debits/s")
    print(f"  DynamoDB per debit: {_per(calls, debits)}; {writes / debits:.1f} WRU, {reads / debits:.1f} RRU")

    def racing() -> None:
        def worker(t: int) -> None:
            for n in range(debits // threads):
                ledger.debit_usage(user, PROJECT, f"t{t}-{n}", 0, PRICE_CENTS)

        _run_threads(threads, worker)

    done = debits // threads * threads
    seconds, calls, writes, _ = _counted(meter, racing)
    lost = calls["TransactWriteItems"] - done
    print(f"usage debits, {threads} threads on one account: {done} in {seconds:.2f} s = {done / seconds:,.0f} debits/s")
    print(f"  transactions refused (lost the race, planned again): {lost} ({lost / done:.0%} of debits)")
    charged = ledger.project_charge(user, PROJECT)
    expected = (debits + done) * PRICE_CENTS
    print(f"  project charge {charged} cents, expected {expected}: {'OK' if charged == expected else 'MISMATCH'}")


def _processing_items(user: str, project: str, count: int) -> list[ItemModel]:
    now = now_ms()
    ProjectModel(
        user,
        project,
        name=project,
        type="image",
        task_type="single_choice",
        created_at=now,
        updated_at=now,
        status=ProjectStatus.IN_PROGRESS.value,
        processing_count=count,
    ).save()
    items = []
    for n in range(count):
        item = ItemModel(
            project,
            ids.new_item_id(now, n),
            user_id=user,
            resource_type="image",
            url=f"https://files.example.com/{n}.jpg",
            status=ItemStatus.PROCESSING.value,
            created_at=now,
            updated_at=now,
            round=0,
            step=2,
        )
        item.save()
        items.append(item)
    return items


def _run_threads(threads: int, work) -> None:
    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def bench_finishes(meter: Meter, count: int, threads: int) -> None:
    user = ids.new_user_id()
    result = {"endNode": "end", "path": ["classify", "box", "end"], "answers": {}}
    with meter.uncounted():
        ledger.top_up(user, "pi_bench", 10_000_000, key="pi_bench")
        free = _processing_items(user, "p1_FREExxxx", count)
        billed = _processing_items(user, "p2_BILLEDxx", count)
        racing = _processing_items(user, "p3_RACINGxx", count)

    def finish_free() -> None:
        for item in free:
            assert mark_finished(item, user, 0, result, PRICE_CENTS)

    def finish_billed() -> None:
        for item in billed:
            charge = ledger.usage_charge(user, item.project_id, item.item_id, 0, PRICE_CENTS)
            assert mark_finished(item, user, 0, result, PRICE_CENTS, charge)

    _, calls0, writes0, reads0 = _counted(meter, finish_free)
    seconds, calls1, writes1, reads1 = _counted(meter, finish_billed)
    print(f"an item finishing, {count} items:")
    print(f"  without billing: {_per(calls0, count)}; {writes0 / count:.1f} WRU, {reads0 / count:.1f} RRU per item")
    print(
        f"  with its usage debit in the same transaction: {_per(calls1, count)}; {writes1 / count:.1f} WRU, "
        f"{reads1 / count:.1f} RRU per item ({count / seconds:,.0f} finishes/s)"
    )
    print(
        f"  billing adds {(writes1 - writes0) / count:.1f} WRU and {(reads1 - reads0) / count:.1f} RRU per labeled item"
    )
    charged = ledger.project_charge(user, "p2_BILLEDxx")
    verdict = "OK" if charged == count * PRICE_CENTS else "MISMATCH"
    print(f"  charge {charged} cents for {count} items × {PRICE_CENTS}: {verdict}")

    def finish_racing(t: int) -> None:
        for item in racing[t::threads]:
            charge = ledger.usage_charge(user, item.project_id, item.item_id, 0, PRICE_CENTS)
            assert mark_finished(item, user, 0, result, PRICE_CENTS, charge)

    seconds, calls, writes, _ = _counted(meter, lambda: _run_threads(threads, finish_racing))
    retried = calls["TransactWriteItems"] - count
    charged = ledger.project_charge(user, "p3_RACINGxx")
    verdict = "OK" if charged == count * PRICE_CENTS else "MISMATCH"
    print(
        f"  {threads} threads finishing items of one account at once: {count / seconds:,.0f} finishes/s, "
        f"{retried} finishes planned again after losing the race; {writes / count:.1f} WRU per item; charge {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debits", type=int, default=500)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    logging.basicConfig(level=logging.WARNING)
    meter = Meter()
    with metered_aws(meter):
        from local.provision import provision

        provision()
        bench_debits(meter, args.debits, args.threads)
        bench_finishes(meter, args.items, args.threads)


if __name__ == "__main__":
    main()
