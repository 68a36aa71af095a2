"""The platform on this machine: emulated AWS, provisioned resources, the HTTP API, a demo account."""

import json
import logging
import os
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

import boto3

from bytebridge.aws import reset_clients
from bytebridge.dal.accounts import user_id_for_email
from bytebridge.identity import OPERATORS
from bytebridge.logic.accounts import create_account
from bytebridge.logic.users import UserError, create_staff
from bytebridge.settings import resource_name
from bytebridge.workers.tokens import create_worker
from local.client_bucket import client_bucket_route
from local.emulator import FAKE_ENV, emulated_aws
from local.gateway import LocalGetRoute, LocalRoute, serve
from local.gcs import GcsEmulator
from local.outbox import sent_mails
from local.provision import provision
from local.s3_door import DASHBOARD_ORIGINS, DoorServer, Signer
from local.scheduler import Scheduler
from local.stripe_local import cards_route, local_stripe, save_test_card

log = logging.getLogger("bytebridge.local")

# The documented sample credentials, so the documentation's scripts run against the local platform
# with only the host changed. Local only: deployed stages never create this account.
DEMO_EMAIL = "demo@bytebridge.local"
DEMO_USER_ID = "U_10BF4B46DD4811EA93476C96CFDDE73D"
DEMO_SECRET = "test_78pbttim3mykypuoswidgzor6fv1u2rj"


# The demo operator `make run` creates (staff accounts are never signed up): sign in with these at /auth/v1/signIn,
# or let the operator CLI (ops/cli.py) do it. Local only.
DEMO_OPERATOR_EMAIL = "operator@bytebridge.local"
DEMO_OPERATOR_PASSWORD = "Operator-demo-1"

_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def _outbox_route(query: dict[str, str]) -> tuple[int, list]:
    """GET /local/outbox[?to=address]: the mails sent so far (moto's SES), newest first."""
    return 200, sent_mails(query.get("to") or None)


def _create_worker_route(body: bytes) -> tuple[int, dict]:
    """An annotator token (annotator sign-up comes with the workbench)."""
    try:
        name = str(json.loads(body or b"{}").get("name") or "annotator")[:100]
    except (ValueError, AttributeError):
        return 400, {"error": 'body must be {"name": "..."}'}
    worker_id, token = create_worker(name)
    return 200, {"workerId": worker_id, "token": token}


def _create_operator_route(body: bytes) -> tuple[int, dict]:
    """`make operator` on this platform (its emulated AWS is not reachable from outside: local.s3_door). Never for
    the address of a client account: that would reset the client's password."""
    try:
        fields = json.loads(body or b"{}")
        email, password = str(fields["email"]).strip(), str(fields["password"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return 400, {"error": 'body must be {"email": "...", "password": "..."}'}
    if user_id_for_email(email) is not None:
        return 409, {"error": "a client account uses this address"}
    try:
        create_staff(email, password, OPERATORS)
    except UserError as exc:
        return exc.status, {"error": exc.message}
    return 200, {"email": email, "group": OPERATORS}


LOCAL_ROUTES: dict[str, LocalRoute] = {
    "/local/workers": _create_worker_route,
    "/local/operators": _create_operator_route,  # make operator (STAGE=local)
    "/local/cards": cards_route,  # save a Stripe test card on an account (localstripe)
    "/local/client-bucket": client_bucket_route,  # a client's S3 or GCS bucket to try bucket imports with
}


LOCAL_GET_ROUTES: dict[str, LocalGetRoute] = {"/local/outbox": _outbox_route}


@dataclass
class Platform:
    host: str
    port: int
    demo_user_id: str = DEMO_USER_ID
    demo_secret: str = DEMO_SECRET
    s3_port: int | None = None  # the S3 endpoint presigned download URLs name; default: port + 1
    gcs_port: int | None = None  # the GCS emulator (the clients' GCS buckets of importGCS); default: any free port

    def __post_init__(self) -> None:
        self._stack = ExitStack()
        self._server: ThreadingHTTPServer | None = None
        self._scheduler: Scheduler | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "Platform":
        # This run's own credentials, whatever the environment holds: the S3 door accepts links signed with them only
        os.environ.pop("AWS_SESSION_TOKEN", None)
        self._stack.enter_context(emulated_aws({key: FAKE_ENV[key] for key in _CREDENTIALS}))
        self._start_s3_endpoint()
        gcs = GcsEmulator(self.host, self.gcs_port or 0).start()  # STORAGE_EMULATOR_HOST names it from now on
        self._stack.callback(gcs.stop)
        self.gcs_port = gcs.port
        if self.port:  # localstripe beside the API and its S3 links: port + 2
            os.environ.setdefault("LOCALSTRIPE_PORT", str(self.port + 2))
        provision()
        create_account(DEMO_EMAIL, secret=DEMO_SECRET, user_id=DEMO_USER_ID)
        save_test_card(DEMO_USER_ID)  # through localstripe, as the dashboard saves a card
        create_staff(DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD, OPERATORS)
        self._server = serve(self.host, self.port, LOCAL_ROUTES, LOCAL_GET_ROUTES)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True).start()
        local_stripe().deliver_webhooks_to(self.url)
        self._scheduler = Scheduler().start()  # EventBridge schedules and SQS pollers, which moto lacks
        return self

    def _start_s3_endpoint(self) -> None:
        """moto's S3 in this process behind the door of local.s3_door: it serves the same backends as mock_aws, so
        presigned links (export downloads, browser uploads) work for clients outside the process, and nothing else
        does. It listens on the platform's host only (127.0.0.1 by default)."""
        port = self.s3_port if self.s3_port is not None else (self.port + 1 if self.port else 0)
        credentials = boto3.session.Session().get_credentials().get_frozen_credentials()
        signer = Signer(credentials.access_key, credentials.secret_key, FAKE_ENV["AWS_REGION"])
        # the browser origins allowed to upload (CORS): the dashboard this platform serves and its dev server, or
        # LOCAL_DASHBOARD_ORIGINS
        served = (f"http://{self.host}:{self.port}", f"http://localhost:{self.port}") if self.port else ()
        origins = [o for o in os.environ.get("LOCAL_DASHBOARD_ORIGINS", "").split(",") if o] or [
            *served,
            *DASHBOARD_ORIGINS,
        ]
        try:
            # buckets outside the platform's names stand for clients' own buckets (bucket imports: local.client_bucket)
            own_prefix = resource_name("")
            server = DoorServer(self.host, port, signer, origins, lambda bucket: bucket.startswith(own_prefix)).start()
        except OSError as exc:
            raise OSError(f"cannot serve S3 links on {self.host}:{port} ({exc}); choose --s3-port") from exc
        self._stack.callback(server.stop)
        self.s3_port = server.port
        os.environ["S3_PUBLIC_ENDPOINT"] = f"http://{self.host}:{self.s3_port}"
        reset_clients()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # it logs every request at INFO otherwise

    def stop(self) -> None:
        if self._scheduler:
            self._scheduler.stop()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        self._stack.close()
