"""Public us-east-1 prices (late 2026, FIELD-NOTES "Cost and quotas") and the bill they make of metered usage.
Free tiers are left out: they are per account, not per item."""

from dataclasses import dataclass

from bench.aws_meter import Tally
from bytebridge.settings import resource_name
from infra.catalog import FUNCTIONS, by_name


@dataclass(frozen=True)
class Price:
    service: str
    unit: str
    usd: float
    per: int  # usd per this many units


PRICES: dict[str, Price] = {
    "transitions": Price("Step Functions", "Standard state transition", 0.025, 1_000),
    "lambda_requests": Price("Lambda", "request (arm64)", 0.20, 1_000_000),
    "lambda_gb_seconds": Price("Lambda", "GB-second (arm64)", 0.0000133334, 1),
    "dynamodb_writes": Price("DynamoDB", "write request unit (on demand)", 0.625, 1_000_000),
    "dynamodb_reads": Price("DynamoDB", "read request unit (on demand)", 0.125, 1_000_000),
    "sqs_requests": Price("SQS", "request (64 KB chunk, standard queue)", 0.40, 1_000_000),
    "api_requests": Price("API Gateway", "REST API request", 3.50, 1_000_000),
    "http_api_requests": Price("API Gateway", "HTTP API request (up to 512 KB)", 1.00, 1_000_000),
    "kms_requests": Price("KMS", "request", 0.03, 10_000),
    "ses_emails": Price("SES", "e-mail sent", 0.10, 1_000),
    "s3_gets": Price("S3", "GET request", 0.0004, 1_000),
    "s3_puts": Price("S3", "PUT/COPY/POST/LIST request", 0.005, 1_000),
}

# The bench's API request labels start with the API they went to (simulated_crowd: "worker …", "client …").
API_FUNCTIONS = {"worker": "worker-api", "client": "client-api"}


def memory_mb() -> dict[str, int]:
    """Physical function name → configured memory (infra.catalog), which GB-seconds are billed at."""
    return {resource_name(spec.name): spec.memory_mb for spec in FUNCTIONS}


def billed_seconds(entry) -> float:
    """In-process handler time, less the time spent waiting for the emulator's lock (other threads' calls)."""
    return max(0.0, entry.seconds - entry.lock_wait)


def gb_seconds(tally: Tally) -> float:
    memory = memory_mb()
    return sum(billed_seconds(e) * memory.get(name, 512) / 1024 for name, e in tally.invocations.items())


def on_http_api(route: str) -> bool:
    """Whether a counted API request went to the HTTP API: its function is deployed there (FunctionSpec.http_api)."""
    return by_name(API_FUNCTIONS[route.split(" ", 1)[0]]).http_api


def usage(tally: Tally, transitions: int) -> dict[str, float]:
    """Billable quantities of the run, keyed like PRICES."""

    def calls(service: str, *operations: str) -> int:
        return sum(n for (s, op), n in tally.billed.items() if s == service and (not operations or op in operations))

    return {
        "transitions": float(transitions),
        "lambda_requests": float(sum(e.count for e in tally.invocations.values())),
        "lambda_gb_seconds": gb_seconds(tally),
        "dynamodb_writes": sum(tally.write_units.values()),
        "dynamodb_reads": sum(tally.read_units.values()),
        "sqs_requests": float(calls("sqs")),
        "api_requests": float(sum(n for route, n in _api_routes(tally) if not on_http_api(route))),
        "http_api_requests": float(sum(n for route, n in _api_routes(tally) if on_http_api(route))),
        "kms_requests": float(calls("kms")),
        "ses_emails": float(calls("ses", "SendEmail", "SendRawEmail")),
        "s3_gets": float(calls("s3", "GetObject", "HeadObject")),
        "s3_puts": float(calls("s3", "PutObject", "POST", "CopyObject")),
    }


def _api_routes(tally: Tally) -> list[tuple[str, int]]:
    """Counted requests by route, without the "  of which …" breakdown lines (indented)."""
    return [(route, n) for route, n in tally.api_requests.items() if not route.startswith(" ")]


def cost(quantities: dict[str, float]) -> dict[str, float]:
    """USD by price key."""
    return {key: quantities[key] * price.usd / price.per for key, price in PRICES.items()}
