"""Errors of the worker API (ours, not the documented client API): an HTTP status and a stable code."""

from enum import StrEnum


class WorkerErrorCode(StrEnum):
    UNAUTHORIZED = "unauthorized"  # 401: no or wrong token
    BLOCKED = "blocked"  # 403: gold accuracy below the bar
    NOT_FOUND = "notFound"  # 404: no such assignment (or another annotator's)
    EXPIRED = "expired"  # 409: the lease ran out, or the task was re-issued or ended
    RELEASED = "released"  # 409: the annotator gave the task back
    HELD_LIMIT = "heldLimit"  # 409: the annotator holds as many tasks as one may (max_held_tasks)
    INVALID_ANSWER = "invalidAnswer"  # 422: the answer does not fit the task
    INVALID_REQUEST = "invalidRequest"  # 422: the body does not fit the call
    BODY_TOO_LARGE = "bodyTooLarge"  # 413: the body is over the API's size cap


STATUS = {
    WorkerErrorCode.UNAUTHORIZED: 401,
    WorkerErrorCode.BLOCKED: 403,
    WorkerErrorCode.NOT_FOUND: 404,
    WorkerErrorCode.EXPIRED: 409,
    WorkerErrorCode.RELEASED: 409,
    WorkerErrorCode.HELD_LIMIT: 409,
    WorkerErrorCode.INVALID_ANSWER: 422,
    WorkerErrorCode.INVALID_REQUEST: 422,
    WorkerErrorCode.BODY_TOO_LARGE: 413,
}


class WorkerError(Exception):
    def __init__(self, code: WorkerErrorCode, message: str):
        self.code = code
        self.status = STATUS[code]
        self.message = message
        super().__init__(f"{code}: {message}")
