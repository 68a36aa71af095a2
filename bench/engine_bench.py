"""The item engine end to end on emulated AWS: a classify-then-box project (cat → box → end, dog → end) run by
simulated annotators through the worker API, then what it took: judgments per item, consolidated accuracy
against fixed-overlap baselines on the same judgments, AWS calls per item by service, and their cost.

    PYTHONPATH=layers/shared/python:functions:. .venv/bin/python -m bench.engine_bench \\
        [--items 1000] [--workers 20] [--accuracy 0.8] [--seed 7]

Everything runs in this process: moto's Step Functions interpreter executes statemachines/item-flow.asl.json
(one execution per item), our Lambda handlers answer its invocations, and one driver thread plays the crowd,
each annotator in turn working as the workbench does: load the data from the claim's dataLocation, answer,
submit with `next` (which claims the next task in the same call), and claim separately (no long poll) only
when the last submit found no work. `--loop separate` is the older loop: claim, data link, submit. Counting
starts at submitResource (account and project creation are once per project) and stops when the last
execution has ended; the bench's own progress and history reads are not counted.
"""

import argparse
import json
import logging
import os
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass

from bench import aws_cost, fixed_overlap
from bench.aws_meter import Meter, metered_aws
from bench.simulated_crowd import FAMILIES, ClientApi, Crowd, Task, judge
from local.annotators import SimulatedAnnotator, Truth, annotator_pool, make_dataset, project_params, truth_of

UPLOAD_BATCH = 1000  # submitResource takes this many links per call
PRINT_EVERY_SECONDS = 60  # at the latest; and whenever another 5% of the items has finished
PRINT_STEPS = 20
IDLE_SLEEP_SECONDS = 0.1  # after a round in which nobody got work: let the executions move
# No item finished for this long: stop and report what there is (a re-asked slot waits behind the whole queue).
STALL_SECONDS = 900


@dataclass
class Run:
    """What the live run left behind, read after counting stopped."""

    items: list  # ItemModel rows
    tasks: dict[tuple[str, str], Task]
    flow: object  # the frozen Flow
    skills: dict[str, float]  # annotator name → skill the consensus step weighed them by
    events: Counter  # history event type → count, over every execution
    entered: Counter  # state name → *StateEntered events
    executions: int
    wall_seconds: float
    judgments_stored: int


# -- the live run -------------------------------------------------------------------------------------------


class ChainedCrowd(Crowd):
    """The worker loop at one API call per judgment: the claim's dataLocation instead of the data link, and each
    submit claims the next task (SubmitRequest.next); a plain claim only after a submit that found no work."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending: dict[str, dict] = {}  # annotator → the assignment their last submit claimed

    def work_once(self, annotator: SimulatedAnnotator) -> bool:
        assignment = self.pending.pop(annotator.name, None) or self._claim(annotator)
        if assignment is None:
            return False
        item_url = assignment.get("dataLocation") or self._look(annotator, assignment)
        node_id = self.node_of_type[assignment["taskType"]]
        answer = judge(annotator, self.seed, item_url, node_id, assignment)
        path = f"/worker/v1/assignments/{assignment['assignmentId']}/submit"
        body = {"answer": answer, "next": {"families": FAMILIES, "waitSeconds": 0}}
        submitted = self._call(annotator, "POST", path, body, "worker POST /assignments/{id}/submit")
        self.stats.submits += 1
        if submitted["statusCode"] != 200:
            status = submitted["statusCode"]
            self.stats.refused[status] = self.stats.refused.get(status, 0) + 1
            return True
        following = json.loads(submitted["body"])["next"]["assignment"]
        self.stats.claims += 1  # the submit's claim of the next task
        if following is None:
            self.stats.empty_claims += 1
            self.meter.api_request("  submits whose next claim found no work")
        else:
            self.pending[annotator.name] = following
        task = self.tasks.setdefault((item_url, node_id), Task(item_url, node_id))
        task.annotators.append(annotator.name)
        task.answers.append(answer)
        return True


def set_up(meter: Meter, dataset: dict[str, Truth]) -> tuple[ClientApi, str]:
    """An account and a classify-then-box project (uncounted), then its items and start (counted)."""
    from bytebridge.logic.accounts import create_account

    api = ClientApi(meter, *create_account("bench@example.com", card_bound=True))
    project = api.call("/api/v1/projects", project_params("engine bench"))
    project_id = project["projectId"]
    api.call("/api/v1/projects/setFlow", {"projectId": project_id, "template": "classify-then-box"})
    meter.counting = True
    urls = list(dataset)
    for start in range(0, len(urls), UPLOAD_BATCH):
        batch = urls[start : start + UPLOAD_BATCH]
        api.call(
            "/api/v1/projects/submitResource", {"projectId": project_id, "resourceType": "image", "resourceURLs": batch}
        )
    api.call("/api/v1/projects/alterState", {"projectId": project_id, "type": "start"})
    return api, project_id


def launch(meter: Meter, user_id: str, project_id: str) -> int:
    """The lifecycle's last step (review, trial, payment done): the first wave starts. Timed as the launcher
    function, which is where a wave runs on AWS."""
    from bytebridge.engine.launch import activate_project
    from bytebridge.settings import resource_name

    started = meter.invocations(lambda _name, _event: (activate_project(user_id, project_id), False))
    return started(resource_name("launcher"), None)[0]


def _project(meter: Meter, user_id: str, project_id: str):
    from bytebridge.dal.projects import ProjectModel

    with meter.uncounted():
        return ProjectModel.get(user_id, project_id, consistent_read=True)


def _progress_line(elapsed: float, project, total: int, crowd: Crowd) -> str:
    return (
        f"  {elapsed:7.1f} s  items finished {project.completed_count or 0:5d} / {total}"
        f"  in flight {project.processing_count or 0:5d}  judgments {crowd.stats.submits:6d}"
        f"  claims {crowd.stats.claims:6d} ({crowd.stats.empty_claims} found no work)"
    )


def drive(meter: Meter, crowd: Crowd, user_id: str, project_id: str, total: int) -> float:
    """Annotators take turns until the project completes (or stalls); returns the seconds it took."""
    start = last_print = last_change = time.monotonic()
    finished, printed_step = -1, 0
    while True:
        got = crowd.round()
        project = _project(meter, user_id, project_id)
        now = time.monotonic()
        if (project.completed_count or 0) != finished:
            finished, last_change = project.completed_count or 0, now
        done = project.status == "completed"
        step = (project.completed_count or 0) * PRINT_STEPS // max(1, total)
        if done or step > printed_step or now - last_print >= PRINT_EVERY_SECONDS:
            print(_progress_line(now - start, project, total, crowd), flush=True)
            last_print, printed_step = now, step
        if done:
            return now - start
        if now - last_change > STALL_SECONDS:
            print(f"  STALLED: no item finished for {STALL_SECONDS} s; reporting what there is", flush=True)
            return now - start
        if not got:
            time.sleep(IDLE_SLEEP_SECONDS)


def wait_for_executions(meter: Meter, timeout: float = 120) -> int:
    """Executions end a few states after their item finished: wait, so every transition is in the histories."""
    from bytebridge.aws import client
    from bytebridge.settings import get_settings

    sfn, deadline = client("stepfunctions"), time.monotonic() + timeout
    with meter.uncounted():
        while True:
            running = sfn.list_executions(stateMachineArn=get_settings().state_machine_arn, statusFilter="RUNNING")
            if not running["executions"] or time.monotonic() > deadline:
                return len(running["executions"])
            time.sleep(0.5)


def histories(arns: list[str]) -> tuple[Counter, Counter]:
    """Event types, and *StateEntered events by state name, over the executions' histories."""
    from bytebridge.aws import client

    sfn = client("stepfunctions")
    events, entered = Counter(), Counter()
    for arn in arns:
        kwargs = {"executionArn": arn, "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**kwargs)
            for event in page["events"]:
                events[event["type"]] += 1
                if event["type"].endswith("StateEntered"):
                    entered[event["stateEnteredEventDetails"]["name"]] += 1
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
    return events, entered


def collect(meter: Meter, crowd: Crowd, user_id: str, project_id: str, wall: float) -> Run:
    from bytebridge.consensus.skills import update_skill
    from bytebridge.dal.items import ItemModel
    from bytebridge.dal.judgments import JudgmentModel, item_key
    from bytebridge.dal.workers import WorkerModel
    from bytebridge.enums import JudgmentStatus
    from bytebridge.flows.store import load_flow

    with meter.uncounted():
        project = _project(meter, user_id, project_id)
        items = list(ItemModel.query(project_id, consistent_read=True))
        stored = sum(
            row.status == JudgmentStatus.SUBMITTED and not row.gold
            for item in items
            for row in JudgmentModel.query(item_key(project_id, item.item_id), consistent_read=True)
        )
        workers = {w.worker_id: w for w in WorkerModel.batch_get(list(crowd.worker_ids.values()))}
        skills = {
            name: update_skill(workers[wid].gold_correct or 0, workers[wid].gold_total or 0)
            for name, wid in crowd.worker_ids.items()
        }
        arns = [item.execution_arn for item in items if item.execution_arn]
        events, entered = histories(arns)
        flow = load_flow(project_id, project.flow_version)
    return Run(items, crowd.tasks, flow, skills, events, entered, len(arns), wall, stored)


# -- consensus quality --------------------------------------------------------------------------------------


def _rate(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def score_node(run: Run, node_id: str, pool: list[SimulatedAnnotator], seed: int) -> dict[str, fixed_overlap.Score]:
    """Adaptive (live) and fixed 3 / 5 on the items the live run sent to `node_id`."""
    node = run.flow.task(node_id)
    scores = {name: fixed_overlap.Score() for name in ("adaptive", "fixed 3", "fixed 5", "plain 3", "plain 5")}
    tasks, judgments, truths = [], [], []
    for item in run.items:
        answers = (item.result or {}).get("answers", {})
        task = run.tasks.get((item.url, node_id))
        if node_id not in answers or task is None:
            continue
        truth = truth_of(item.url)
        js = fixed_overlap.judgments_of(task, node, pool, seed)
        scores["adaptive"].add(_right(node_id, answers[node_id], truth), len(task.annotators))
        for k in fixed_overlap.OVERLAPS:
            answer = fixed_overlap.fixed_answer(node, js, k, run.skills)
            scores[f"fixed {k}"].add(_right(node_id, answer, truth), k)
        tasks.append(task)
        judgments.append(js)
        truths.append(truth)
    if node.task_type.value == "single_choice" and tasks:
        for k in fixed_overlap.OVERLAPS:
            voted = fixed_overlap.plain_majority(tasks, judgments, node, k)
            for label, truth in zip(voted, truths, strict=True):
                scores[f"plain {k}"].add(node.options[label] == truth.label, k)
    return scores


def _right(node_id: str, answer: dict, truth: Truth) -> bool:
    if "choice" in answer:
        return answer["choice"] == truth.label
    return fixed_overlap.boxes_match(answer, truth)


def print_quality(run: Run, pool: list[SimulatedAnnotator], seed: int) -> dict[str, dict[str, fixed_overlap.Score]]:
    finished = [item for item in run.items if item.result]
    classify, box = score_node(run, "classify", pool, seed), score_node(run, "box", pool, seed)
    routed = [item for item in finished if "box" in item.result["answers"]]
    misrouted = sum(truth_of(item.url).label != "cat" for item in routed)
    routed_urls = {item.url for item in routed}
    missed = sum(truth_of(item.url).label == "cat" and item.url not in routed_urls for item in finished)
    live_tasks = list(run.tasks.values())
    same = sum(fixed_overlap.reproduced(t, run.flow.task(t.node_id), pool, seed) for t in live_tasks)
    live_total = sum(len(t.annotators) for t in live_tasks)

    print("\n== Consensus: adaptive overlap (live) vs fixed overlap (offline, on the same judgments)")
    print(f"  items finished {len(finished)} of {len(run.items)}; routed to box {len(routed)}", end="")
    print(f" ({misrouted} of them dogs); cats sent to the dog end {missed}")
    print(f"  live judgments re-derived offline by the judgment function: {same} of {live_total} identical")
    print(f"  live judgments in the driver's log {live_total}, submitted rows in DynamoDB {run.judgments_stored}")
    print(f"  annotator skills the consensus step weighed by: {_skill_summary(run.skills)}")
    print(f"\n  {'node':9}{'method':38}{'tasks':>6}{'accuracy':>10}{'judgments/task':>16}")
    rows = [
        ("classify", "adaptive (the flow's overlap, live)", classify["adaptive"]),
        ("classify", "fixed 3, consolidate()", classify["fixed 3"]),
        ("classify", "fixed 3, plain majority_vote()", classify["plain 3"]),
        ("classify", "fixed 5, consolidate()", classify["fixed 5"]),
        ("classify", "fixed 5, plain majority_vote()", classify["plain 5"]),
        ("box", "adaptive (the flow's overlap, live)", box["adaptive"]),
        ("box", "fixed 3, consolidate()", box["fixed 3"]),
        ("box", "fixed 5, consolidate()", box["fixed 5"]),
    ]
    for node, method, score in rows:
        print(f"  {node:9}{method:38}{score.tasks:6d}{score.accuracy:10.3f}{score.per_task:16.2f}")
    print("  box accuracy: share of items whose consolidated boxes pair one-to-one with the true boxes at IoU >= 0.5")
    print("  with no extra box (the true boxes are the image's objects, which the simulator draws on any image).")
    n = len(finished)
    adaptive = _rate(classify["adaptive"].judgments + box["adaptive"].judgments, n)
    fixed = {k: _rate(classify[f"fixed {k}"].judgments + box[f"fixed {k}"].judgments, n) for k in (3, 5)}
    print(
        f"  judgments per item, both nodes: adaptive {adaptive:.2f}, fixed 3 {fixed[3]:.2f}, fixed 5 {fixed[5]:.2f}"
        " (fixed overlaps on the box node only for the items the live run routed there)"
    )
    return {"classify": classify, "box": box}


def _skill_summary(skills: dict[str, float]) -> str:
    values = sorted(set(round(v, 3) for v in skills.values()))
    if len(values) == 1:
        return f"all {values[0]} (no gold tasks in this flow: the prior, so every vote weighs the same)"
    return f"{min(values):.3f} to {max(values):.3f}"


# -- AWS usage and cost -------------------------------------------------------------------------------------


def print_calls(meter: Meter, n: int) -> None:
    tally = meter.tally
    print("\n== AWS requests per item (every request that reached emulated AWS while counting)")
    print(f"  {'service':10}{'operation':28}{'requests':>10}{'per item':>10}  billed units per item")
    for service in sorted({s for s, _ in tally.calls}):
        ops = sorted((op for s, op in tally.calls if s == service), key=lambda op: -tally.calls[(service, op)])
        for op in ops:
            calls = tally.calls[(service, op)]
            print(f"  {service:10}{op:28}{calls:10d}{calls / n:10.2f}  {_units(tally, service, op, n)}")
        total = sum(tally.calls[(service, op)] for op in ops)
        print(f"  {service:10}{'(all)':28}{total:10d}{total / n:10.2f}")
    print(f"  {'all':10}{'':28}{sum(tally.calls.values()):10d}{sum(tally.calls.values()) / n:10.2f}")


def _units(tally, service: str, op: str, n: int) -> str:
    if service == "dynamodb":
        reads, writes = tally.read_units.get(op, 0), tally.write_units.get(op, 0)
        parts = ([f"{reads / n:.2f} RRU"] if reads else []) + ([f"{writes / n:.2f} WRU"] if writes else [])
        return ", ".join(parts)
    if service == "sqs":
        return f"{tally.billed[(service, op)] / n:.2f} requests (64 KB chunks)"
    if service == "states":
        return "free (Standard bills transitions)"
    return ""


def print_transitions(meter: Meter, run: Run, n: int) -> int:
    transitions = sum(run.entered.values())
    print("\n== Step Functions state transitions (every *StateEntered event of every execution's history)")
    for state, count in run.entered.most_common():
        print(f"  {state:12}{count:8d}{count / n:9.2f} per item")
    print(f"  {'all':12}{transitions:8d}{transitions / n:9.2f} per item, over {run.executions} executions")
    visits, routes = run.entered.get("Visit", 0), run.entered.get("Route", 0)
    timed_out = run.events.get("TaskTimedOut", 0)
    failed = run.events.get("LambdaFunctionFailed", 0) + run.events.get("TaskFailed", 0)
    print(
        f"  One Visit (a task token) and one Route (Choice) per task visit: {visits} visits, {routes} routes for"
        f" {_rate(visits, n):.2f} task visits per item. Retries bill transitions the history does not show as"
        f" entered states: visits timed out and entered again {timed_out}, failed attempts {failed}."
    )
    invokes, batches = meter.tally.calls[("lambda", "Invoke")], meter.tally.calls[("sqs", "SendMessageBatch")]
    print(
        f"  lambda:Invoke {invokes}: the Visit states' consensus calls and the worker API's one per submitted judgment;"
        f" sqs:SendMessageBatch {batches}: a visit's slots, and each extra annotator asked for."
    )
    return transitions


def print_lambda(meter: Meter, n: int) -> None:
    memory = aws_cost.memory_mb()
    print("\n== Lambda invocations (durations are in-process wall time, less waits for the emulator's lock)")
    print(f"  {'function':34}{'MB':>6}{'invocations':>12}{'per item':>10}{'mean ms':>9}{'GB-s per item':>15}")
    for name, entry in sorted(meter.tally.invocations.items(), key=lambda kv: -kv[1].count):
        seconds = aws_cost.billed_seconds(entry)
        gbs = seconds * memory.get(name, 512) / 1024
        mean_ms = 1000 * seconds / entry.count
        counts = f"{entry.count:12d}{entry.count / n:10.2f}"
        print(f"  {name:34}{memory.get(name, 512):6d}{counts}{mean_ms:9.1f}{gbs / n:15.4f}")


def print_api(meter: Meter, n: int) -> None:
    print("\n== API Gateway requests (one per worker- or client-API call the run made)")
    for route, count in sorted(meter.tally.api_requests.items(), key=lambda kv: (kv[0].startswith(" "), -kv[1])):
        print(f"  {route:44}{count:8d}{count / n:9.2f} per item")


def print_cost(meter: Meter, run: Run, transitions: int, n: int, scores: dict) -> None:
    quantities = aws_cost.usage(meter.tally, transitions)
    usd = aws_cost.cost(quantities)
    print("\n== Prices (public us-east-1, no free tier)")
    for price in aws_cost.PRICES.values():
        print(f"  {price.service:15}{price.unit:40} ${price.usd:<12g} per {price.per:,}")
    print("\n== AWS cost per 1,000 items")
    by_service: dict[str, float] = {}
    for key, price in aws_cost.PRICES.items():
        if quantities[key]:
            print(f"  {price.service:15}{price.unit:40}{quantities[key] * 1000 / n:14.1f}  ${usd[key] * 1000 / n:9.4f}")
        by_service[price.service] = by_service.get(price.service, 0.0) + usd[key] * 1000 / n
    total = sum(by_service.values())
    for service, amount in sorted(by_service.items(), key=lambda kv: -kv[1]):
        if amount:
            print(f"  {service:15}{'':40}{'':14}  ${amount:9.4f}  {amount / total:6.1%}")
    print(f"  {'total':15}{'':40}{'':14}  ${total:9.4f}")
    classify, box = scores["classify"]["adaptive"], scores["box"]["adaptive"]
    judgments = classify.judgments + box.judgments
    print(
        f"  at consensus accuracy: classify {classify.accuracy:.3f} ({classify.per_task:.2f} judgments/task),"
        f" box {box.accuracy:.3f} ({box.per_task:.2f} judgments/task); {_rate(judgments, n):.2f} judgments per item"
    )
    print_per_judgment(meter, quantities, judgments)
    print_drawing(run, quantities, usd, n, box)
    # What the items were charged (ItemModel.cost_cents: the unit prices of the tasks each went through).
    labor = sum(item.cost_cents or 0 for item in run.items) / 100 * 1000 / n
    prices = ", ".join(f"{run.flow.task(node).id} {_unit_price(run.flow.task(node))}¢" for node in ("classify", "box"))
    if labor:
        print(f"\n  Annotation labor at the flow's unit prices per task ({prices}): ${labor:.2f} per 1,000 items")
        print(f"  AWS is {total / labor:.2%} of the labor; labor is {labor / total:.0f}x the AWS bill")


def print_per_judgment(meter: Meter, quantities: dict[str, float], judgments: int) -> None:
    """What one judgment costs in requests: the figures a cut in the worker loop moves."""
    tally = meter.tally
    api = {route: count for route, count in tally.api_requests.items() if not route.startswith(" ")}
    worker = sum(count for route, count in api.items() if route.startswith("worker "))
    worker_lambda = tally.invocations.get(_physical("worker-api"))
    consensus = tally.invocations.get(_physical("consensus"))
    writes = sum(tally.calls[("dynamodb", op)] for op in WRITE_OPERATIONS)
    print(
        f"  per judgment: worker API calls {_rate(worker, judgments):.2f},"
        f" DynamoDB writes {_rate(writes, judgments):.2f} requests"
        f" ({_rate(quantities['dynamodb_writes'], judgments):.2f} WRU),"
        f" reads {_rate(quantities['dynamodb_reads'], judgments):.2f} RRU,"
        f" SQS {_rate(quantities['sqs_requests'], judgments):.2f} requests,"
        f" Lambda {_rate(quantities['lambda_requests'], judgments):.2f} invocations"
        f" (worker-api {_rate(worker_lambda.count if worker_lambda else 0, judgments):.2f},"
        f" consensus {_rate(consensus.count if consensus else 0, judgments):.2f})"
    )
    by_op = sorted(((op, tally.calls[("dynamodb", op)]) for op in WRITE_OPERATIONS), key=lambda kv: -kv[1])
    print(
        "  DynamoDB write requests per judgment by operation: "
        + ", ".join(f"{op} {_rate(count, judgments):.2f}" for op, count in by_op if count)
    )
    print("  DynamoDB requests per judgment by caller, operation and table (the top 16; '-' is no Lambda: the driver)")
    print(f"    {'function':14}{'operation':20}{'table(s)':34}{'requests':>9}{'WRU':>7}")
    for (function, op, tables), count in tally.dynamodb_by_caller.most_common(16):
        wru = tally.dynamodb_writes_by_caller[(function, op, tables)]
        figures = f"{_rate(count, judgments):9.2f}{_rate(wru, judgments):7.2f}"
        print(f"    {function[:13]:14}{op:20}{tables[:33]:34}{figures}")


WRITE_OPERATIONS = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def _physical(name: str) -> str:
    from bytebridge.settings import resource_name

    return resource_name(name)


def print_drawing(run: Run, quantities: dict[str, float], usd: dict[str, float], n: int, box) -> None:
    """The drawing node (boxes) under the default maximum overlap: judgments per task and what a task costs.
    Its AWS share is estimated: the run's per-judgment cost (everything but Step Functions, over all judgments)
    times its judgments, plus a task visit's transitions (Visit and Route)."""
    node = run.flow.task("box")
    tasks = [t for t in run.tasks.values() if t.node_id == "box"]
    if not tasks:
        return
    counts = sorted(len(t.annotators) for t in tasks)
    at_max = sum(c >= node.overlap.max_overlap for c in counts)
    all_judgments = sum(len(t.annotators) for t in run.tasks.values())
    per_judgment = (sum(usd.values()) - usd["transitions"]) / max(1, all_judgments)
    per_task = per_judgment * box.per_task + 2 * aws_cost.PRICES["transitions"].usd / aws_cost.PRICES["transitions"].per
    print(
        f"\n== Drawing node (box): max overlap {node.overlap.max_overlap} (the default), {len(tasks)} tasks,"
        f" {box.per_task:.2f} judgments per task (median {counts[len(counts) // 2]}, max {counts[-1]},"
        f" {at_max} tasks at the maximum), accuracy {box.accuracy:.3f}"
    )
    print(
        f"  AWS per 1,000 box tasks (estimated from this run's per-judgment cost): ${per_task * 1000:.4f};"
        f" {_rate(len(tasks), n):.2f} box tasks per item"
    )


def _unit_price(node) -> int:
    from bytebridge.pricing import UNIT_PRICE_CENTS

    return UNIT_PRICE_CENTS[node.task_type]  # the published price (a flow cannot set its own)


def print_time(meter: Meter, run: Run, n: int) -> None:
    tally = meter.tally
    print(f"\n== Where the time went ({run.wall_seconds:.1f} s from the first judgment round to completion)")
    inside = sum(tally.moto_seconds.values())
    print(f"  inside emulated AWS (moto, holding its one lock), exclusive of nested requests: {inside:.1f} s")
    for (service, op), seconds in tally.moto_seconds.most_common(6):
        each_ms = 1000 * seconds / tally.calls[(service, op)]
        print(f"    {service + ':' + op:36}{seconds:8.1f} s  {each_ms:7.2f} ms each")
    print("    (lambda:Invoke's own time is the consensus handler's Python, run inside the Step Functions request)")
    for name, entry in sorted(tally.invocations.items(), key=lambda kv: -kv[1].seconds):
        print(f"  handler {name:34}{entry.seconds:8.1f} s  (waiting for the lock {entry.lock_wait:.1f} s)")
    built = sum(tally.clients.values())
    print(
        f"  botocore clients built during the run: {built}, {sum(tally.client_seconds.values()):.1f} s of thread time"
    )
    for service, count in tally.clients.most_common():
        each = 1000 * tally.client_seconds[service] / count
        print(f"    {service:12}{count:7d}  {tally.client_seconds[service]:7.1f} s  {each:6.1f} ms each")
    transactions = tally.calls[("dynamodb", "TransactWriteItems")]
    per_transaction = _rate(tally.clients["dynamodb"], transactions)
    print(f"    dynamodb clients per TransactWriteItems: {per_transaction:.2f}", end="")
    # A client per transaction is what bytebridge.dal.base.transact did before it shared one Connection.
    print(" (a new pynamodb Connection for every transaction)" if per_transaction >= 0.5 else "")
    print("    lambda and sqs ones: moto's Step Functions interpreter builds a boto3 client for every integration call")


def print_notes() -> None:
    print(
        "\n== Estimated, not measured\n"
        "  DynamoDB units are counted from each request and response: GetItem/BatchGetItem by returned item size\n"
        "  (1 RRU per 4 KB strongly consistent, 0.5 eventually), Query/Scan as 1 RRU per item read (ScannedCount;\n"
        "  AWS rounds the summed size up to 4 KB per request, so this over-counts small rows), PutItem by item size\n"
        "  (1 WRU per KB), UpdateItem/DeleteItem 1 WRU (stored size not on the wire, assumed <= 1 KB),\n"
        "  TransactWriteItems 2 WRU per item whether or not a condition fails. Item size is its wire JSON length.\n"
        "  Lambda GB-s use in-process time on this machine (moto answering in place of AWS's network round trips),\n"
        "  at each function's configured memory, without the 1 ms rounding; the launch wave is timed as the launcher.\n"
        "  API Gateway counts every claim (including those that found no work: this driver polls without waiting,\n"
        "  so that figure depends on the driver, not the engine), data link and submit, and the client's calls."
    )


def nodes_by_task_type() -> dict[str, str]:
    """Task type → node id of the template's task nodes (an assignment names its task type, not its node)."""
    from bytebridge.flows.model import TaskNode
    from bytebridge.flows.templates import classify_then_box

    return {node.task_type.value: node.id for node in classify_then_box().nodes if isinstance(node, TaskNode)}


# -- main ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=20, help="simulated annotators in the pool (at least 5)")
    parser.add_argument("--accuracy", type=float, default=0.8, help="mean annotator accuracy")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--loop",
        choices=("chained", "separate"),
        default="chained",
        help="the annotators' worker loop: chained (claim's dataLocation, submit claims the next task: one call per"
        " judgment) or separate (claim, data link, submit: three)",
    )
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # read when the handlers load, on first invocation
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # no EMF line per claim and consensus step
    logging.basicConfig(level=logging.WARNING)
    random.seed(args.seed)  # claim() picks families at random; the judgments do not depend on it
    dataset = make_dataset(args.items, seed=args.seed)
    pool = annotator_pool(max(5, args.workers), args.accuracy, seed=args.seed)
    mean = sum(a.accuracy for a in pool) / len(pool)
    print(
        f"engine bench: {args.items} items, classify-then-box, {len(pool)} annotators (mean accuracy {mean:.3f}),"
        f" worker loop {args.loop}"
    )
    meter, started = Meter(), time.monotonic()
    with metered_aws(meter):
        from local.provision import provision

        provision()
        crowd_type = ChainedCrowd if args.loop == "chained" else Crowd
        crowd = crowd_type(meter, pool, args.seed, nodes_by_task_type())  # registered before counting: once per crowd
        api, project_id = set_up(meter, dataset)
        launched = launch(meter, api.user_id, project_id)
        print(f"  project {project_id}: {launched} executions started, {time.monotonic() - started:.1f} s", flush=True)
        wall = drive(meter, crowd, api.user_id, project_id, args.items)
        still = wait_for_executions(meter)
        meter.counting = False
        if still:
            print(f"  {still} executions still running after the wait")
        if crowd.data_route_error:
            print(f"  NOTE: the worker API's data route failed ({crowd.data_route_error});")
            print("        the bench called bytebridge.workers.work.data_location directly, timed as worker-api")
        run = collect(meter, crowd, api.user_id, project_id, wall)
    n = max(1, len(run.items))
    scores = print_quality(run, pool, args.seed)
    print_calls(meter, n)
    transitions = print_transitions(meter, run, n)
    print_lambda(meter, n)
    print_api(meter, n)
    print_cost(meter, run, transitions, n, scores)
    print_time(meter, run, n)
    print_notes()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(f"\nwall time {time.monotonic() - started:.1f} s (judging {wall:.1f} s), peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
