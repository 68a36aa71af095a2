"""POST /api/v1/projects/listProjects: the account's projects newest first, a page a call, with retrieveProject's
counts; status filter; deleted projects and other accounts' projects never listed; cursors checked."""

from bytebridge.errors import ErrorCode
from tests.support.client_api import (
    ALTER,
    RETRIEVE,
    assert_error,
    create_project,
    project_with_resources,
    second_account,
)

LIST = "/api/v1/projects/listProjects"


def _pages(api, **params) -> list[list[dict]]:
    """Every page, following nextCursor to the end."""
    pages, cursor = [], None
    while True:
        out = api.call(LIST, {**params, **({"cursor": cursor} if cursor else {})})
        assert out["code"] == 0, out
        pages.append(out["data"]["projects"])
        cursor = out["data"]["nextCursor"]
        if cursor is None:
            return pages


def test_pages_through_45_projects_newest_first_without_duplicates(api):
    created = [create_project(api, projectName=f"project {n}") for n in range(45)]

    pages = _pages(api, pageSize=20)

    assert [len(page) for page in pages] == [20, 20, 5]
    listed = [entry["projectId"] for page in pages for entry in page]
    assert len(set(listed)) == 45 and set(listed) == set(created)
    times = [entry["createdAt"] for page in pages for entry in page]
    assert times == sorted(times, reverse=True)
    # Created one after another: the newest is the last one created, the oldest the first.
    assert listed[0] == created[-1] and listed[-1] == created[0]


def test_default_page_and_the_last_page_has_no_cursor(api):
    for n in range(21):
        create_project(api, projectName=f"p{n}")

    first = api.call(LIST, {})
    assert first["code"] == 0 and len(first["data"]["projects"]) == 20 and first["data"]["nextCursor"]
    second = api.call(LIST, {"cursor": first["data"]["nextCursor"]})
    assert len(second["data"]["projects"]) == 1 and second["data"]["nextCursor"] is None

    exactly = api.call(LIST, {"pageSize": 21})  # a full last page: no cursor to an empty page
    assert len(exactly["data"]["projects"]) == 21 and exactly["data"]["nextCursor"] is None


def test_entries_report_what_retrieve_project_reports(api):
    project_id = project_with_resources(api, projectName="with items")

    (entry,) = api.call(LIST, {"pageSize": 5})["data"]["projects"]
    progress = api.call(RETRIEVE, {"projectId": project_id})["data"]["projectData"]

    assert entry["projectId"] == project_id and entry["name"] == progress["projectName"] == "with items"
    assert (entry["type"], entry["taskType"], entry["status"]) == (
        progress["projectType"],
        progress["taskType"],
        progress["projectStatus"],
    )
    assert entry["itemCount"] == progress["projectItemQuantity"] == 2
    for name in ("noStartQuantity", "processingQuantity", "completedQuantity", "successQuantity", "failedQuantity"):
        assert entry[name] == progress[name], name
    assert entry["amountSpent"] == progress["amountSpent"] and entry["spentCents"] == 0
    assert entry["estimateCents"] is None and entry["currency"] == "USD"


def test_status_filter_and_deleted_projects(api):
    drafts = [create_project(api, projectName=f"draft {n}") for n in range(25)]
    started = [project_with_resources(api, projectName=f"started {n}") for n in range(3)]
    for project_id in started:
        assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    for project_id in drafts[:2]:
        assert api.call(ALTER, {"projectId": project_id, "type": "delete"})["code"] == 0

    checking = _pages(api, status="checking", pageSize=2)
    assert [len(page) for page in checking] == [2, 1]
    assert {e["projectId"] for page in checking for e in page} == set(started)
    assert all(e["status"] == "checking" for page in checking for e in page)

    draft_pages = _pages(api, status="draft", pageSize=10)
    assert {e["projectId"] for page in draft_pages for e in page} == set(drafts[2:])

    everything = {e["projectId"] for page in _pages(api, pageSize=100) for e in page}
    assert everything == set(drafts[2:]) | set(started)  # deleted ones are gone from every listing


def test_other_accounts_projects_are_never_listed(api):
    mine = create_project(api, projectName="mine")
    other = second_account()
    theirs = create_project(other, projectName="theirs")
    for n in range(3):
        create_project(other, projectName=f"theirs {n}")

    assert [e["projectId"] for e in api.call(LIST, {})["data"]["projects"]] == [mine]
    # Their cursor, replayed by me, pages through my partition only.
    their_cursor = other.call(LIST, {"pageSize": 1})["data"]["nextCursor"]
    replayed = api.call(LIST, {"cursor": their_cursor})
    assert replayed["code"] == 0 and theirs not in {e["projectId"] for e in replayed["data"]["projects"]}


def test_bad_parameters_answer_code_2(api):
    for params in (
        {"pageSize": 0},
        {"pageSize": 101},
        {"pageSize": "20"},
        {"status": "deleted"},
        {"status": "nonsense"},
        {"cursor": "not-a-cursor"},
        {"cursor": "eyJ2IjoxfQ"},  # base64 of {"v":1}: no key
    ):
        assert_error(api.call(LIST, params), ErrorCode.PARAMETER_INVALID, api)
