"""The scheduled functions, each run twice through the emulator as the local scheduler runs them; time
travel is done by writing timestamps in the past, never by sleeping."""

import pytest

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.delivery import ProjectDeliveryModel
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.items import ItemModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.dal.unique_keys import UniqueKeyModel, project_name_key
from bytebridge.delivery import events
from bytebridge.enums import Acceptance, ProjectStatus
from bytebridge.settings import get_settings
from bytebridge.storage import project_prefix
from infra.catalog import FUNCTIONS, by_name
from local.scheduler import Scheduler, rate_seconds, run_scheduled
from tests.support.callback_receiver import Receiver, webhook_secret_of
from tests.support.client_api import ALTER, set_status
from tests.support.delivery import (
    DAY_MS,
    SET_CALLBACK,
    deliver,
    delivered_project,
    items_of,
    project_row,
    sent_mail,
)

HOUR_MS = 3600 * 1000


def _run(job: str) -> dict:
    result, failed = run_scheduled(by_name(job))
    assert not failed, result
    return result


def _put_objects(bucket: str, user_id: str, project_id: str, count: int = 2) -> None:
    for n in range(count):
        client("s3").put_object(Bucket=bucket, Key=f"{project_prefix(user_id, project_id)}f{n}", Body=b"x")


def _objects(bucket: str, user_id: str, project_id: str) -> list[str]:
    out = client("s3").list_objects_v2(Bucket=bucket, Prefix=project_prefix(user_id, project_id))
    return [obj["Key"] for obj in out.get("Contents", [])]


# ---- 21-day auto-acceptance ---------------------------------------------------------------------------------


def test_auto_accept_takes_only_items_pending_for_21_days(api):
    project_id, items = delivered_project(api, 4)
    now = now_ms()
    deliver(items[0], now - 22 * DAY_MS)  # overdue
    deliver(items[1], now - 20 * DAY_MS)  # still inside the window
    deliver(items[2], now - 30 * DAY_MS, acceptance=Acceptance.REJECTED.value)  # being reworked
    deliver(items[3], now - 23 * DAY_MS, acceptance=Acceptance.ACCEPTED.value)

    assert _run("auto-accept") == {"accepted": 1, "skipped": 0}
    assert _run("auto-accept") == {"accepted": 0, "skipped": 0}

    states = {item.item_id: (item.acceptance, item.accepted_at) for item in items_of(project_id)}
    assert states[items[0].item_id][0] == Acceptance.AUTO_ACCEPTED and states[items[0].item_id][1] >= now
    assert states[items[1].item_id] == (Acceptance.PENDING, None)
    assert states[items[2].item_id] == (Acceptance.REJECTED, None)
    assert states[items[3].item_id] == (Acceptance.ACCEPTED, None)


# ---- retention of uploaded files ---------------------------------------------------------------------------


def _age(api, project_id: str, **timestamps_ago_ms: int) -> None:
    now = now_ms()
    project_row(api, project_id).update(
        actions=[getattr(ProjectModel, name).set(now - ago) for name, ago in timestamps_ago_ms.items()],
        add_version_condition=False,
    )


def _notice_given(project_id: str, hours_ago: int) -> None:
    """Move the recorded warning into the past, as if the run had happened `hours_ago` hours ago."""
    ProjectDeliveryModel(project_id).update(
        actions=[ProjectDeliveryModel.warned_at.set(now_ms() - hours_ago * HOUR_MS)]
    )


def test_files_of_a_project_completed_7_days_ago_are_purged_after_a_warning(api):
    data, exports = get_settings().data_bucket, get_settings().exports_bucket
    project_id, _ = delivered_project(api, 2)
    set_status(api, project_id, ProjectStatus.COMPLETED)
    _age(api, project_id, completed_at=8 * DAY_MS, updated_at=8 * DAY_MS)
    _put_objects(data, api.user_id, project_id)
    _put_objects(exports, api.user_id, project_id, 1)

    assert _run("retention-purge") == {"warned": 1, "purged": 0}
    assert _run("retention-purge") == {"warned": 0, "purged": 0}  # one warning per cycle
    (warning,) = sent_mail()
    assert "will be deleted" in warning.subject and project_id in warning.body
    assert "results stay available" in warning.body
    assert len(_objects(data, api.user_id, project_id)) == 2

    _notice_given(project_id, hours_ago=23)
    assert _run("retention-purge") == {"warned": 0, "purged": 0}  # less than 24 h of notice
    _notice_given(project_id, hours_ago=25)
    assert _run("retention-purge") == {"warned": 0, "purged": 1}
    assert _run("retention-purge") == {"warned": 0, "purged": 0}

    assert _objects(data, api.user_id, project_id) == []
    assert len(_objects(exports, api.user_id, project_id)) == 1  # exports are results: kept
    assert len(items_of(project_id)) == 2  # so are the labeled items
    assert len(sent_mail()) == 1


def test_an_idle_draft_loses_its_unstarted_items_after_a_warning(api):
    data = get_settings().data_bucket
    project_id, _ = delivered_project(api, 3, delivered=0)
    set_status(api, project_id, ProjectStatus.DRAFT)
    _age(api, project_id, updated_at=31 * DAY_MS)
    _put_objects(data, api.user_id, project_id)

    assert _run("retention-purge")["warned"] == 1
    _notice_given(project_id, hours_ago=25)
    assert _run("retention-purge")["purged"] == 1
    assert _run("retention-purge") == {"warned": 0, "purged": 0}

    project = project_row(api, project_id)
    assert items_of(project_id) == [] and project.item_count == 0 and project.not_started_count == 0
    assert project.resources_submitted == 3  # a later start says "files removed", not "never uploaded"
    assert _objects(data, api.user_id, project_id) == []
    assert "upload the files again" in sent_mail()[0].body


def test_activity_after_the_warning_cancels_the_purge_and_a_new_idle_spell_warns_again(api):
    project_id, _ = delivered_project(api, 2, delivered=0)
    set_status(api, project_id, ProjectStatus.DRAFT)
    _age(api, project_id, updated_at=31 * DAY_MS)
    _run("retention-purge")
    _notice_given(project_id, hours_ago=25)
    _age(api, project_id, updated_at=0)  # the client touched the project (e.g. uploaded more)

    assert _run("retention-purge") == {"warned": 0, "purged": 0}
    assert len(items_of(project_id)) == 2

    _age(api, project_id, updated_at=40 * DAY_MS)  # idle again: a new cycle starts with a new warning
    assert _run("retention-purge") == {"warned": 1, "purged": 0}
    assert len(items_of(project_id)) == 2 and len(sent_mail()) == 2


@pytest.mark.parametrize(
    ("status", "ages"),
    [
        (ProjectStatus.COMPLETED, {"completed_at": 6 * DAY_MS, "updated_at": 6 * DAY_MS}),
        (ProjectStatus.DRAFT, {"updated_at": 29 * DAY_MS}),
        (ProjectStatus.IN_PROGRESS, {"updated_at": 90 * DAY_MS}),
    ],
)
def test_projects_not_yet_due_are_left_alone(api, status, ages):
    project_id, _ = delivered_project(api, 1)
    set_status(api, project_id, status)
    _age(api, project_id, **ages)
    assert _run("retention-purge") == {"warned": 0, "purged": 0}
    assert sent_mail() == []


def test_an_empty_idle_draft_gets_no_warning(api):
    from tests.support.client_api import create_project

    project_id = create_project(api)
    _age(api, project_id, updated_at=60 * DAY_MS)
    assert _run("retention-purge") == {"warned": 0, "purged": 0}


# ---- deleted projects --------------------------------------------------------------------------------------


def test_a_deleted_project_is_gone_from_s3_and_dynamodb(api):
    settings = get_settings()
    project_id, _ = delivered_project(api, 3)
    keep_id, _ = delivered_project(api, 1)
    for project in (project_id, keep_id):
        _put_objects(settings.data_bucket, api.user_id, project)
        _put_objects(settings.exports_bucket, api.user_id, project)
        ExportModel(project, f"e{project}", user_id=api.user_id, format="coco", s3_key="k", created_at=1).save()
        ProjectDeliveryModel(project, user_id=api.user_id, callback_url="https://hooks.example.com").save()
    name = project_row(api, project_id).name
    set_status(api, project_id, ProjectStatus.COMPLETED)
    assert api.call(ALTER, {"projectId": project_id, "type": "delete"})["code"] == 0

    assert _run("purge-deleted") == {"purged": 1}
    assert _run("purge-deleted") == {"purged": 0}

    assert items_of(project_id) == []
    assert list(ExportModel.query(project_id)) == []
    assert ProjectDeliveryModel.count(project_id) == 0
    assert ProjectModel.count(api.user_id, ProjectModel.project_id == project_id) == 0
    assert UniqueKeyModel.count(project_name_key(api.user_id, name)) == 0
    for bucket in (settings.data_bucket, settings.exports_bucket):
        assert _objects(bucket, api.user_id, project_id) == []
        assert len(_objects(bucket, api.user_id, keep_id)) == 2  # another project is untouched
    assert len(items_of(keep_id)) == 1 and ExportModel.count(keep_id) == 1 and ProjectDeliveryModel.count(keep_id) == 1


# ---- the local scheduler -----------------------------------------------------------------------------------


def test_the_local_scheduler_runs_every_job_and_polls_the_callback_queue(api):
    project_id, items = delivered_project(api, 2)
    deliver(items[0], now_ms() - 22 * DAY_MS)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url})
        events.on_item_finished(project_id, items[1].item_id)
        Scheduler(scale=0, poll_seconds=0).tick()  # every interval scaled to 0: everything is due

    assert ItemModel.get(project_id, items[0].item_id).acceptance == Acceptance.AUTO_ACCEPTED
    assert len(receiver.received) == 1 and receiver.received[0].signature_ok
    assert [mail.subject.split(":")[0] for mail in sent_mail()] == ["[ByteBridge] 1 result(s) ready"]


def test_schedule_rates():
    assert rate_seconds("rate(1 hour)") == 3600
    assert rate_seconds("rate(10 minutes)") == 600
    assert rate_seconds("rate(2 days)") == 172800
    assert rate_seconds("cron(0 3 * * ? *)") is None
    assert all(rate_seconds(spec.schedule) for spec in FUNCTIONS if spec.schedule)
