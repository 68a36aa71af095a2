"""`make run`: start the whole platform locally and wait until interrupted."""

import argparse
import logging
import os
import signal
import threading

from local.platform import DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD, Platform
from local.stripe_local import local_stripe


def configure_logging(level_name: str) -> None:
    """Warnings only by default. LOG_LEVEL=INFO (or DEBUG) also shows the handlers' JSON logs (an INFO line per
    consensus step, API error, ...) and the metrics they emit, as the EMF lines CloudWatch reads on AWS.
    POWERTOOLS_LOG_LEVEL / POWERTOOLS_METRICS_DISABLED, when set, win. Before any handler is imported: powertools
    reads them when its Logger is built."""
    level = logging.getLevelName(level_name.upper())
    if not isinstance(level, int):
        raise SystemExit(f"LOG_LEVEL={level_name}: use DEBUG, INFO, WARNING or ERROR")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", logging.getLevelName(level))
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "false" if level <= logging.INFO else "true")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run ByteBridge locally on emulated AWS")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=20000)
    parser.add_argument("--s3-port", type=int, default=None, help="S3 endpoint of download URLs (default: port+1)")
    parser.add_argument("--gcs-port", type=int, default=None, help="the GCS emulator (default: any free port)")
    args = parser.parse_args()
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING"))
    # The local crowd is a handful of (simulated) annotators: a task wanting more of them than there are settles with
    # the answers it has once a visit heartbeat brings no news (bytebridge.engine; a day when deployed).
    os.environ.setdefault("ASSIGNMENT_HEARTBEAT_SECONDS", "60")
    os.environ.setdefault("ASSIGNMENT_TIMEOUT_SECONDS", str(12 * 3600))

    platform = Platform(args.host, args.port, s3_port=args.s3_port, gcs_port=args.gcs_port).start()
    print(
        f"ByteBridge is running on {platform.url}\n"
        f"  client API:   POST {platform.url}/api/v1/projects (signed; see README)\n"
        f"  OpenAPI:      GET  {platform.url}/api/v1/openapi.json\n"
        f"  worker API:   {platform.url}/worker/v1 (annotator tokens: POST {platform.url}/local/workers)\n"
        "  simulate:     make simulate (a project labeled by simulated annotators)\n"
        f"  local S3:     http://{args.host}:{platform.s3_port} (presigned downloads and uploads only)\n"
        f"  demo account: userId={platform.demo_user_id} secretKey={platform.demo_secret}\n"
        f"  operator:     {DEMO_OPERATOR_EMAIL} password {DEMO_OPERATOR_PASSWORD} (POST /auth/v1/signIn)\n"
        "  new account:  make account EMAIL=someone@example.com (signs up through /auth/v1, code from the outbox)\n"
        f"  sent mail:    GET  {platform.url}/local/outbox[?to=address]\n"
        f"  Stripe:       localstripe at {local_stripe().url} (cards: POST {platform.url}/local/cards "
        '{"userId": "U_…", "card": "pm_card_visa"}; webhooks to /stripe/v1/webhook)\n'
        f"  GCS emulator: http://{args.host}:{platform.gcs_port} (importGCS's buckets; docs/data-in.md)\n"
        f"  import from:  POST {platform.url}/local/client-bucket "
        '{"store": "s3"|"gcs", "bucket": "client-photos", "count": 100} (a client bucket of sample images)\n'
        "Data is kept in memory only: it is gone when this process stops. Ctrl+C to stop.",
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
