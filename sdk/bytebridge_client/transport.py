"""Signed calls over one pooled HTTP session: each attempt is signed afresh (a retry never re-sends a signature
the server has seen, which it would refuse as a replay, code 27), idempotent calls are retried on network errors
and 5xx answers with exponential backoff and full jitter, and error envelopes become typed exceptions."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any, Callable

import requests
from pydantic import BaseModel
from requests.adapters import HTTPAdapter

from bytebridge_client.config import Credentials
from bytebridge_client.errors import ByteBridgeHTTPError, from_envelope
from bytebridge_client.signing import MD5, signed_headers

# Calls that create something each time they run: a retry after a lost answer could create it twice.
NOT_IDEMPOTENT = frozenset(
    {
        "/api/v1/projects",
        "/api/v1/projects/cloneProject",
        "/api/v1/projects/createUpload",
        "/api/v1/projects/exportResult",
        "/api/v1/projects/importS3",
        "/api/v1/projects/importGCS",
        "/api/v1/projects/messages",
        "/api/v1/projects/pingCallback",
        "/api/v1/projects/redeliverCallback",
        "/api/v1/billing/refund",
        "/api/v1/billing/fileDispute",
        "/api/v1/billing/setupCard",
    }
)
RETRY_STATUSES = frozenset({500, 502, 503, 504})


class Transport:
    def __init__(
        self,
        credentials: Credentials,
        *,
        sign_type: str = MD5,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff_seconds: float = 0.5,
        pool_size: int = 16,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.credentials, self.sign_type, self.timeout = credentials, sign_type, timeout
        self.max_retries, self.backoff_seconds, self._sleep = max_retries, backoff_seconds, sleep
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._stamp_lock, self._last_stamp = threading.Lock(), 0

    def _timestamp(self) -> int:
        """Milliseconds, strictly increasing in this client: two attempts never carry the same signature."""
        with self._stamp_lock:
            self._last_stamp = max(int(time.time() * 1000), self._last_stamp + 1)
            return self._last_stamp

    def _send(self, method: str, path: str, params: dict, signed: bool) -> requests.Response:
        url = self.credentials.base_url + path
        if not signed:
            return self.session.request(method, url, timeout=self.timeout)
        body = json.dumps({"userId": self.credentials.user_id, "params": params})  # as the documented snippet writes it
        headers = signed_headers(
            self.credentials.user_id, body, self.credentials.secret_key, self._timestamp(), self.sign_type
        )
        return self.session.request(method, url, data=body.encode("utf-8"), headers=headers, timeout=self.timeout)

    def call(self, path: str, params: dict | None = None, *, method: str = "POST", signed: bool = True) -> Any:
        """The `data` of one call; raises the error code's exception, or ByteBridgeHTTPError."""
        retries = 0 if path in NOT_IDEMPOTENT else self.max_retries
        for attempt in range(retries + 1):
            try:
                response = self._send(method, path, params or {}, signed)
            except (requests.ConnectionError, requests.Timeout):
                if attempt == retries:
                    raise
            else:
                if response.status_code not in RETRY_STATUSES or attempt == retries:
                    return _data(response)
            self._sleep(random.uniform(0, self.backoff_seconds * 2**attempt))
        raise AssertionError("unreachable")

    def endpoint(
        self,
        method: str,
        path: str,
        params_model: type[BaseModel] | None,
        data_model: type[BaseModel] | None,
        params: BaseModel | None,
        fields: dict,
        *,
        signed: bool,
    ) -> Any:
        """A typed call: params checked by their model before sending, data parsed into its model."""
        wire: dict = {}
        if params_model is not None:
            if params is not None and fields:
                raise TypeError("pass the params as a model or as keyword arguments, not both")
            wire = _wire(params if params is not None else params_model.model_validate(fields))
        data = self.call(path, wire, method=method, signed=signed)
        return data if data_model is None else data_model.model_validate(data)

    def close(self) -> None:
        self.session.close()


def _wire(model: BaseModel) -> dict:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _data(response: requests.Response) -> Any:
    try:
        envelope = response.json()
    except ValueError:
        raise ByteBridgeHTTPError(response.status_code, response.text) from None
    if not isinstance(envelope, dict) or "code" not in envelope:
        raise ByteBridgeHTTPError(response.status_code, response.text)
    if envelope["code"] != 0:
        raise from_envelope(envelope)
    return envelope.get("data")
