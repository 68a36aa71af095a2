"""Annotator tokens: "<workerId>.<secret>", the secret stored as a SHA-256 hash and compared in constant time.
(Annotator accounts proper, with sign-up and Cognito, come with the workbench; one token per worker is enough
for the engine.)"""

import hashlib
import hmac
import secrets

from bytebridge.dal.workers import WorkerModel, get_worker
from bytebridge.dal.workers import create_worker as store_worker
from bytebridge.ids import new_id
from bytebridge.workers.errors import WorkerError, WorkerErrorCode


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_worker(name: str) -> tuple[str, str]:
    """A new annotator; returns (workerId, token). The token is shown once and never stored."""
    worker_id = new_id("w")
    secret = secrets.token_urlsafe(32)
    store_worker(worker_id, name, _hash(secret))
    return worker_id, f"{worker_id}.{secret}"


def authenticate(authorization: str | None) -> WorkerModel:
    """The annotator of an `Authorization: Bearer <token>` header; 401 otherwise."""
    scheme, _, token = (authorization or "").partition(" ")
    worker_id, _, secret = token.strip().partition(".")
    if scheme.lower() != "bearer" or not worker_id or not secret:
        raise WorkerError(WorkerErrorCode.UNAUTHORIZED, "send Authorization: Bearer <annotator token>")
    worker = get_worker(worker_id)
    expected = worker.token_hash if worker else _hash("")
    if not hmac.compare_digest(_hash(secret), expected) or worker is None:
        raise WorkerError(WorkerErrorCode.UNAUTHORIZED, "unknown annotator token")
    return worker
