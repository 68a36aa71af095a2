"""The documented response envelope: {"code", "successMsg"|"errorMsg", "timestamp", "userId", "data"}."""

from typing import Any

from bytebridge.clock import now_ms
from bytebridge.errors import MESSAGES, ApiError, ErrorCode


def success(user_id: str | None, data: Any) -> dict:
    return {
        "code": int(ErrorCode.SUCCESS),
        "successMsg": MESSAGES[ErrorCode.SUCCESS],
        "timestamp": now_ms(),
        "userId": user_id,
        "data": data,
    }


def failure(error: ApiError, user_id: str | None) -> dict:
    body = {"code": int(error.code), "errorMsg": error.message, "timestamp": now_ms(), "userId": user_id}
    if error.detail:
        body["detail"] = error.detail
    return body
