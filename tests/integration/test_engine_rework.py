"""Rejected results go back through the flow for free and are delivered again (docs: 21 天内免费重新标注)."""

from bytebridge.dal.judgments import list_judgments
from bytebridge.workers import work
from tests.support.engine import (
    claim_within,
    completed,
    fixed_overlap,
    items_of,
    project_row,
    running_project,
    truthful,
    work_until,
    workers,
)

ACCEPT = "/api/v1/projects/acceptResults"
RETRIEVE_RESULT = "/api/v1/projects/retrieveResult"


def as_cat(worker, claimed, url):
    """Annotators who now see a cat (as the client's comment says) and box it."""
    return {"choice": "cat"} if claimed.node.id == "classify" else truthful(claimed, url)


def test_a_rejected_item_is_reworked_free_with_the_comment_and_delivered_again(api):
    project_id = running_project(api, ["dog", "dog"], flow=fixed_overlap(3))
    crowd = workers(3)
    work_until(completed(api, project_id), crowd)
    first, second = items_of(project_id)
    spent = project_row(api, project_id).amount_spent_cents
    first_delivery = first.delivered_at

    out = api.call(
        ACCEPT, {"projectId": project_id, "itemIds": [first.item_id], "decision": "reject", "comment": "it is a cat"}
    )

    assert out["code"] == 0 and out["data"]["changed"] == [first.item_id]
    first.refresh(consistent_read=True)
    assert (first.status, first.round, first.acceptance) == ("processing", 1, "rejected")
    project = project_row(api, project_id)
    assert (project.status, project.processing_count, project.completed_count) == ("inProgress", 1, 1)
    claimed = claim_within(crowd[0])
    assert claimed is not None and claimed.rework_comment == "it is a cat"
    work.submit(crowd[0], claimed.assignment_id, {"choice": "cat"})
    work_until(completed(api, project_id), crowd, answer=as_cat)

    first.refresh(consistent_read=True)
    assert first.status == "completed" and first.acceptance == "pending" and first.rework_count == 1
    assert first.result["answers"]["classify"] == {"choice": "cat"}
    assert first.result["path"] == ["classify", "box", "boxed"]  # the flow walked again, to the boxes
    assert first.delivered_at > first_delivery  # a new 21-day window
    project = project_row(api, project_id)
    assert project.amount_spent_cents == spent  # rework is free
    assert (project.completed_count, project.success_count, project.output_count) == (2, 2, 2)
    assert {j.round for j in list_judgments(project_id, first.item_id)} == {1}
    detail = api.call(RETRIEVE_RESULT, {"projectId": project_id, "itemId": first.item_id})["data"]
    assert {j["answer"]["choice"] for j in detail["judgments"] if j["nodeId"] == "classify"} == {"cat"}
    assert {j["nodeId"] for j in detail["judgments"]} == {"classify", "box"}  # this round's only
    second.refresh(consistent_read=True)
    assert second.round == 0 and second.rework_count == 0
