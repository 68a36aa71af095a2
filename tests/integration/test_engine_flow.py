"""The item engine end to end on emulated AWS: executions of the real ASL in moto's interpreter, the consensus
Lambda in-process, annotators through bytebridge.workers. Items walk classify-then-box (cats get boxes)."""

from collections import Counter

from bytebridge.dal.judgments import JudgmentModel, item_key
from bytebridge.engine.advance import on_answered, visit
from bytebridge.engine.launch import launch_items
from bytebridge.engine.state import ItemState, SlotRef
from bytebridge.enums import JudgmentStatus
from bytebridge.flows.templates import classify_then_box
from bytebridge.pricing import UNIT_PRICE_CENTS
from tests.support.engine import (
    RETRIEVE,
    completed,
    executions,
    executions_ended,
    items_of,
    label_of,
    project_row,
    queue_depths,
    running_project,
    work_until,
    workers,
)

LABELS = ["cat", "dog", "cat", "dog", "dog"]


def overlap_of(node_id: str) -> int:
    return classify_then_box().task(node_id).overlap.min_overlap


def test_every_item_reaches_its_end_node_with_consolidated_answers_and_exact_counters(api):
    project_id = running_project(api, LABELS)
    crowd = workers(4)

    submitted = work_until(completed(api, project_id), crowd)

    items = items_of(project_id)
    assert [item.status for item in items] == ["completed"] * len(LABELS)
    for item in items:
        label = label_of(item.url)
        answers = item.result["answers"]
        assert answers["classify"] == {"choice": label}
        if label == "cat":
            assert item.result["path"] == ["classify", "box", "boxed"]
            assert [b["label"] for b in answers["box"]["boxes"]] == ["cat"]
        else:
            assert item.result["path"] == ["classify", "other"]
            assert "box" not in answers
        assert item.acceptance == "pending" and item.delivered_at is not None
    # Every submit counted once, by distinct annotators, at least min_overlap per task (5 classify + 2 box tasks).
    rows = [row for item in items for row in JudgmentModel.query(item_key(project_id, item.item_id))]
    assert submitted == len(rows) and {row.status for row in rows} == {JudgmentStatus.SUBMITTED}
    per_task = Counter((row.item_id, row.node_id) for row in rows)
    assert len(per_task) == len(LABELS) + LABELS.count("cat")
    assert len({(row.item_id, row.node_id, row.worker_id) for row in rows}) == len(rows)
    assert min(per_task.values()) >= min(overlap_of("classify"), overlap_of("box"))
    cats = LABELS.count("cat")
    price = len(LABELS) * UNIT_PRICE_CENTS["single_choice"] + cats * UNIT_PRICE_CENTS["rectangle_frame_select"]
    project = project_row(api, project_id)
    counters = (project.item_count, project.not_started_count, project.processing_count, project.completed_count)
    assert counters == (5, 0, 0, 5)
    assert (project.success_count, project.failed_count, project.output_count) == (5, 0, 5)
    assert project.amount_spent_cents == price == sum(item.cost_cents for item in items)
    progress = api.call(RETRIEVE, {"projectId": project_id})["data"]["projectData"]
    assert progress["projectStatus"] == "completed"
    assert progress["amountSpent"] == price / 100
    executions_ended()
    assert {e["status"] for e in executions()} == {"SUCCEEDED"}
    assert set(queue_depths().values()) == {0}  # every message was consumed, none parked


def test_disagreement_asks_more_annotators_up_to_max_overlap(api):
    flow = classify_then_box().dump()
    flow["nodes"][0]["overlap"] = {"minOverlap": 3, "maxOverlap": 5}
    project_id = running_project(api, ["dog"], flow=flow)
    crowd = workers(5)
    votes = iter(["dog", "cat", "dog", "cat", "dog"])  # never settled before the fifth, the most it may ask

    work_until(completed(api, project_id), crowd, answer=lambda w, c, u: {"choice": next(votes)})

    (item,) = items_of(project_id)
    assert item.result["answers"]["classify"] == {"choice": "dog"}
    rows = list(JudgmentModel.query(item_key(project_id, item.item_id)))
    assert len(rows) == 5 and {row.status for row in rows} == {JudgmentStatus.SUBMITTED}
    assert len({row.worker_id for row in rows}) == 5  # five different annotators


def test_a_repeated_launch_or_consensus_step_changes_nothing(api):
    project_id = running_project(api, ["dog"])
    (item,) = items_of(project_id)

    assert launch_items(project_id, [item.item_id]) == 0  # in flight already
    work_until(completed(api, project_id), workers(6))
    state = ItemState(user_id=api.user_id, project_id=project_id, item_id=item.item_id, round=0, flow_version=1)
    on_answered(SlotRef(project_id=project_id, item_id=item.item_id, round=0, step=0, node_id="classify", slot=0))
    visit(state, "a-late-attempts-token")  # answered "end" on a token nobody waits on: nothing else happens

    project = project_row(api, project_id)
    assert (project.completed_count, project.success_count, project.processing_count) == (1, 1, 0)
    assert len(executions()) == 1
