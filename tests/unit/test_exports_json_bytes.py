"""writer.json_bytes: orjson on the hot path, the stdlib encoder for what orjson refuses; the same bytes either way."""

import json

import pytest

from bytebridge.exports.writer import json_bytes


def _stdlib(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "replace")


@pytest.mark.parametrize(
    "value",
    [
        {"id": 1, "bbox": [1.5, 2.25, 0.1 + 0.2, 1e16], "area": 12.0, "name": '北京 "q" \\ \n\t'},
        [{"label": "car", "x": -0.0, "big": 2**63 - 1, "none": None, "flag": True}],
        {"emoji": "🚗", "control": "\x00\x1f", "keys": {"é": []}},
    ],
)
def test_json_bytes_writes_what_the_stdlib_encoder_writes(value):
    assert json_bytes(value) == _stdlib(value)
    assert json.loads(json_bytes(value)) == value


def test_what_orjson_refuses_falls_back_to_the_stdlib():
    lone_surrogate = {"label": "a\ud800b"}
    huge = {"count": 2**70}

    assert json.loads(json_bytes(lone_surrogate)) == {"label": "a?b"}
    assert json.loads(json_bytes(huge)) == huge
