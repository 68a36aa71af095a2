"""The platform on this machine: emulated AWS, provisioned resources, the HTTP API, a demo account."""

import json
import logging
import os
import socket
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

from moto.server import ThreadedMotoServer

from bytebridge.aws import reset_clients
from bytebridge.identity import OPERATORS
from bytebridge.logic.accounts import create_account
from bytebridge.logic.users import create_staff
from bytebridge.workers.tokens import create_worker
from local.emulator import emulated_aws
from local.gateway import LocalGetRoute, LocalRoute, serve
from local.outbox import sent_mails
from local.provision import provision
from local.scheduler import Scheduler

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


LOCAL_ROUTES: dict[str, LocalRoute] = {
    "/local/workers": _create_worker_route,
}


LOCAL_GET_ROUTES: dict[str, LocalGetRoute] = {"/local/outbox": _outbox_route}


@dataclass
class Platform:
    host: str
    port: int
    demo_user_id: str = DEMO_USER_ID
    demo_secret: str = DEMO_SECRET
    s3_port: int | None = None  # the S3 endpoint presigned download URLs name; default: port + 1

    def __post_init__(self) -> None:
        self._stack = ExitStack()
        self._server: ThreadingHTTPServer | None = None
        self._scheduler: Scheduler | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "Platform":
        self._stack.enter_context(emulated_aws())
        self._start_s3_endpoint()
        provision()
        create_account(DEMO_EMAIL, card_bound=True, secret=DEMO_SECRET, user_id=DEMO_USER_ID)
        create_staff(DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD, OPERATORS)
        self._server = serve(self.host, self.port, LOCAL_ROUTES, LOCAL_GET_ROUTES)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True).start()
        self._scheduler = Scheduler().start()  # EventBridge schedules and SQS pollers, which moto lacks
        return self

    def _start_s3_endpoint(self) -> None:
        """moto's HTTP server in this process: it serves the same backends as mock_aws, so a presigned export
        URL (bytebridge.exports.downloads) works for clients outside the process."""
        port = self.s3_port if self.s3_port is not None else (self.port + 1 if self.port else 0)
        with socket.socket() as probe:  # ThreadedMotoServer.start() would wait forever on a taken port
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.host, port))
            except OSError as exc:
                raise OSError(f"cannot serve S3 downloads on {self.host}:{port} ({exc}); choose --s3-port") from exc
        server = ThreadedMotoServer(self.host, port, verbose=False)
        server.start()
        self._stack.callback(server.stop)
        self.s3_port = server.get_host_and_port()[1]
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
