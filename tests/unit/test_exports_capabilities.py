"""The capability matrix is complete, matches docs/exports.md, and is what the writers do."""

from pathlib import Path

import pytest

from bytebridge.annotations import TaskType
from bytebridge.enums import ExportFormat
from bytebridge.exports.capabilities import CAPABILITIES, Support, matrix_markdown
from tests.unit.exports_support import SAMPLES, export, item, node_id

DOC = Path(__file__).resolve().parents[2] / "docs" / "exports.md"


def test_every_format_states_every_task_type():
    for fmt in ExportFormat:
        assert set(CAPABILITIES[fmt]) == set(TaskType), fmt
        for task_type, capability in CAPABILITIES[fmt].items():
            assert capability.how, (fmt, task_type)  # full says what is written, the others what is lost or why


def test_the_documented_matrix_is_the_one_in_code():
    assert matrix_markdown() in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", list(ExportFormat))
@pytest.mark.parametrize("task_type", list(TaskType))
def test_writers_do_what_the_matrix_says(fmt, task_type):
    other = item(1, {node_id(TaskType.RECTANGLE): SAMPLES[TaskType.RECTANGLE]})

    data, summary = export(fmt, [item(0, {node_id(task_type): SAMPLES[task_type]}), other])

    supported = CAPABILITIES[fmt][task_type].support is not Support.UNSUPPORTED
    boxes_supported = CAPABILITIES[fmt][TaskType.RECTANGLE].support is not Support.UNSUPPORTED
    assert data or not (supported or boxes_supported)  # line formats (JSON Lines, CoNLL) have no header to write
    boxes_too = task_type is TaskType.RECTANGLE  # the other item's boxes count under the same task type
    assert summary.exported[task_type.value] == int(supported) * (1 + boxes_too)
    assert summary.unsupported[task_type.value] == int(not supported) * (1 + boxes_too)
    assert summary.items == 2
