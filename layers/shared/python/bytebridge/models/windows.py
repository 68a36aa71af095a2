"""Time windows of the retrieve calls (retrieveProject, listResults): startTime/endTime request parameters,
epoch milliseconds, parsed into an inclusive [start, end] window (code 26 when malformed)."""

from bytebridge.errors import ApiError, ErrorCode

MAX_TIME_MS = 10**13 - 1  # item ids carry 13-digit times (ids.new_item_id)


def _time_filter(value: int | str | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_TIME_MS)):
            raise ApiError(ErrorCode.QUERY_FAILED, f"{name} must be epoch milliseconds (digits)")
        value = int(value)
    if not 0 <= value <= MAX_TIME_MS:
        raise ApiError(ErrorCode.QUERY_FAILED, f"{name} must be epoch milliseconds between 0 and {MAX_TIME_MS}")
    return value


def time_window(start_time: int | str | None, end_time: int | str | None) -> tuple[int, int] | None:
    """The inclusive [start, end] ms window a retrieve asks for, or None for the whole project (code 26)."""
    start, end = _time_filter(start_time, "startTime"), _time_filter(end_time, "endTime")
    if start is None and end is None:
        return None
    start, end = start or 0, MAX_TIME_MS if end is None else end
    if start > end:
        raise ApiError(ErrorCode.QUERY_FAILED, "startTime is after endTime")
    return start, end
