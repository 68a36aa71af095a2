"""A deleted project's engine data (flow versions, judgments, assignment handles, gold tasks) goes with it."""

from bytebridge.dal.flows import FlowModel
from bytebridge.dal.gold import GoldModel
from bytebridge.dal.judgments import AssignmentModel, JudgmentModel
from infra.catalog import by_name
from local.scheduler import run_scheduled
from tests.support.client_api import ALTER
from tests.support.engine import completed, fixed_overlap, items_of, running_project, truthful, work_until, workers

GOLD = "/api/v1/projects/submitGold"


def _engine_rows(project_id: str) -> dict[str, int]:
    judgments = [row for row in JudgmentModel.scan() if row.project_id == project_id]
    handles = {row.assignment_id for row in AssignmentModel.scan()}
    return {
        "flows": FlowModel.count(project_id),
        "gold": GoldModel.count(project_id),
        "judgments": len(judgments),
        "assignments": len({row.assignment_id for row in judgments} & handles),
    }


def dog_on_gold(worker, claimed, url: str) -> dict:
    return {"choice": "dog"} if "/gold/" in url else truthful(claimed, url)


def test_purging_a_deleted_project_removes_its_flows_judgments_assignments_and_gold(api):
    gone = running_project(api, ["dog", "cat"], flow=fixed_overlap(3))
    kept = running_project(api, ["dog"], flow=fixed_overlap(3))
    crowd = workers(3)
    for project_id in (gone, kept):
        gold = {
            "projectId": project_id,
            "nodeId": "classify",
            "resourceType": "image",
            "items": [{"resourceURL": "https://files.example.com/gold/1.jpg", "answer": {"choice": "dog"}}],
        }
        assert api.call(GOLD, gold)["code"] == 0
        work_until(completed(api, project_id), crowd, answer=dog_on_gold)
    before, kept_before = _engine_rows(gone), _engine_rows(kept)
    # three per task (two classify, one box), and the gold task's answers (every annotator qualifies on it first)
    assert before["flows"] == 1 and before["gold"] == 1 and before["judgments"] >= 9
    assert before["judgments"] == before["assignments"] and kept_before["judgments"] >= 3

    assert api.call(ALTER, {"projectId": gone, "type": "delete"})["code"] == 0
    result, failed = run_scheduled(by_name("purge-deleted"))

    assert not failed and result == {"purged": 1}
    assert _engine_rows(gone) == {"flows": 0, "gold": 0, "judgments": 0, "assignments": 0}
    assert items_of(gone) == []
    assert _engine_rows(kept) == kept_before
