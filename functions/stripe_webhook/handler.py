"""POST /stripe/v1/webhook: Stripe's events (bytebridge.billing.webhooks). Thin: the raw body and the
Stripe-Signature header go to the domain, which verifies and applies them. 200 once applied (or a duplicate or an
event we do not handle), 400 for a body whose signature does not verify (Stripe shows it as failed and does not
retry forever), 500 on anything else so that Stripe retries the delivery (every step is idempotent)."""

import json

from aws_lambda_powertools.logging import correlation_paths

from bytebridge.billing import webhooks
from bytebridge.body import UnreadableBody, body_bytes
from bytebridge.observability import logger, metrics, tracer

MAX_BODY_BYTES = 512 * 1024  # Stripe's events are a few KB; the largest objects stay far below this


def _answer(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _header(event: dict, name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name.lower():
            return value
    return None


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    if event.get("httpMethod", "POST") != "POST":
        return _answer(405, {"error": "POST only"})
    try:
        payload = body_bytes(event)
    except UnreadableBody as exc:
        return _answer(400, {"error": str(exc)})
    if len(payload) > MAX_BODY_BYTES:
        return _answer(413, {"error": "body too large"})
    try:
        outcome = webhooks.handle(payload, _header(event, "Stripe-Signature"))
    except webhooks.InvalidWebhook:
        logger.warning("stripe webhook refused: signature, timestamp or body")
        return _answer(400, {"error": "invalid signature"})
    return _answer(200, {"received": True, "outcome": outcome})
