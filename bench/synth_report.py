"""Synthesize the CDK app (cdk-nag on, no bundling, no AWS account) and print what the template holds: resources
by type, the synth time, the idle monthly cost those resources imply (and the scheduled runs that go on while
idle), and the cdk-nag acknowledgments.

    python -m bench.synth_report [--stage dev|prod]
"""

import argparse
import json
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from infra.stack import build_app

# What each resource costs per month when nothing uses it (us-east-1 list prices; docs/deploy.md explains).
KMS_KEY_MONTH = 1.00
ALARM_METRIC_MONTH = 0.10  # standard resolution, per metric an alarm evaluates
DASHBOARD_MONTH = 3.00
MONTH_MINUTES = 30 * 24 * 60
RATE = re.compile(r"^rate\((\d+) (minute|hour|day)s?\)$")
RATE_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}


def alarm_metrics(alarm: dict) -> int:
    """Metric math alarms are billed per metric they read."""
    metrics = alarm["Properties"].get("Metrics")
    return sum(1 for m in metrics if "MetricStat" in m) if metrics else 1


def idle_cost(resources: dict) -> dict[str, float]:
    by_type: dict[str, list[dict]] = {}
    for resource in resources.values():
        by_type.setdefault(resource["Type"], []).append(resource)
    return {
        "KMS keys": KMS_KEY_MONTH * len(by_type.get("AWS::KMS::Key", [])),
        "CloudWatch alarms": ALARM_METRIC_MONTH * sum(map(alarm_metrics, by_type.get("AWS::CloudWatch::Alarm", []))),
        "CloudWatch dashboard": DASHBOARD_MONTH * len(by_type.get("AWS::CloudWatch::Dashboard", [])),
    }


def scheduled_runs(resources: dict) -> dict[str, int]:
    """Rule name → runs per 30-day month, for the rate() schedules (the jobs that run while nothing else does)."""
    runs = {}
    for resource in resources.values():
        if resource["Type"] != "AWS::Events::Rule":
            continue
        match = RATE.match(resource["Properties"].get("ScheduleExpression", ""))
        if match:
            runs[resource["Properties"]["Name"]] = MONTH_MINUTES // (int(match[1]) * RATE_MINUTES[match[2]])
    return runs


def acknowledgments(metadata: dict) -> Counter:
    """(rule, reason) → how many constructs carry it."""
    found: Counter = Counter()
    for entries in metadata.values():
        for entry in entries:
            if entry["type"] == "aws:cdk:acknowledged-rules":
                for rule, reason in entry["data"].items():
                    found[(rule.removeprefix("Annotation::"), reason)] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev", choices=("dev", "prod"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        app = build_app(stages=(args.stage,), outdir=outdir)
        assembly = app.synth()
        seconds = time.perf_counter() - started
        stack = f"ByteBridge-{args.stage}"
        template = assembly.get_stack_by_name(stack).template
        metadata = json.loads((Path(outdir) / f"{stack}.metadata.json").read_text())

    resources = template["Resources"]
    counts = Counter(r["Type"] for r in resources.values())
    print(f"{stack}: {len(resources)} resources, synth {seconds:.1f} s (construct + synth + cdk-nag, no bundling)")
    for type_, count in sorted(counts.items()):
        print(f"  {count:4d}  {type_}")
    costs = idle_cost(resources)
    print("idle cost per month (list prices; on-demand DynamoDB/SQS/Lambda/API Gateway/Step Functions: $0 idle)")
    for item, dollars in costs.items():
        print(f"  ${dollars:6.2f}  {item}")
    print(f"  ${sum(costs.values()):6.2f}  total")
    runs = scheduled_runs(resources)
    print(f"scheduled runs per month while idle: {sum(runs.values())} (Lambda requests; 1 M a month are free)")
    for rule, count in sorted(runs.items()):
        print(f"  {count:6d}  {rule}")
    acks = acknowledgments(metadata)
    print(f"cdk-nag acknowledgments: {len(acks)} distinct, on {sum(acks.values())} constructs")
    for (rule, reason), count in sorted(acks.items()):
        print(f"  {count:3d}× {rule}: {reason}")


if __name__ == "__main__":
    main()
