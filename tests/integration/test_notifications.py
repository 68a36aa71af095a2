"""E-mail notices through SES (read back from moto's SES backend): one "ready for acceptance" mail per
project per notifier run however many items arrived, status-change mails once per change, run through the
scheduled function as the local scheduler runs it."""

from bytebridge.dal.delivery import ProjectDeliveryModel
from bytebridge.dal.items import ItemModel
from bytebridge.delivery import events
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.settings import get_settings
from infra.catalog import by_name
from local.scheduler import run_scheduled
from tests.support.client_api import set_status
from tests.support.delivery import delivered_project, sent_mail

NOTIFIER = by_name("notify-clients")


def _notify() -> dict:
    result, failed = run_scheduled(NOTIFIER)
    assert not failed, result
    return result


def _finish(project_id: str, items: list) -> None:
    for item in items:
        events.on_item_finished(project_id, item.item_id)


def test_one_ready_mail_per_project_per_run(api):
    first, first_items = delivered_project(api, 3)
    second, second_items = delivered_project(api, 1)
    _finish(first, first_items)
    _finish(second, second_items)

    assert _notify() == {"ready_mails": 2, "status_mails": 0}
    assert _notify() == {"ready_mails": 0, "status_mails": 0}  # a second run finds nothing new

    mails = sent_mail()
    assert len(mails) == 2
    by_project = {next(p for p in (first, second) if p in mail.body): mail for mail in mails}
    assert by_project[first].subject.startswith("[ByteBridge] 3 result(s) ready")
    assert by_project[second].subject.startswith("[ByteBridge] 1 result(s) ready")
    assert all(mail.destinations["ToAddresses"] == ["client@example.com"] for mail in mails)
    assert all(mail.source == get_settings().notify_from for mail in mails)
    assert ProjectDeliveryModel.get(first).ready_flag is None  # settled: out of the index


def test_items_arriving_after_a_run_go_into_the_next_mail(api):
    project_id, items = delivered_project(api, 3)
    _finish(project_id, items[:1])
    _notify()
    _finish(project_id, items[1:])

    assert _notify()["ready_mails"] == 1
    assert sent_mail()[-1].subject.startswith("[ByteBridge] 2 result(s) ready")


def test_failed_items_are_not_announced_for_acceptance(api):
    project_id, items = delivered_project(api, 2, delivered=0)
    items[0].update(actions=[ItemModel.status.set(ItemStatus.FAILED.value)])
    _finish(project_id, items[:1])
    assert _notify()["ready_mails"] == 0 and sent_mail() == []


def test_a_status_change_is_mailed_once(api):
    project_id, _ = delivered_project(api, 1)
    set_status(api, project_id, ProjectStatus.COMPLETED)
    events.on_project_status(project_id, "inProgress", "completed")
    events.on_project_status(project_id, "inProgress", "completed")  # a repeated event before the run
    assert _notify()["status_mails"] == 1
    events.on_project_status(project_id, "inProgress", "completed")  # and after it
    assert _notify()["status_mails"] == 0

    (mail,) = sent_mail()
    assert mail.subject.startswith("[ByteBridge] Project completed") and "every item has been labeled" in mail.body


def test_only_the_latest_status_between_runs_is_mailed_and_a_return_is_mailed_again(api):
    project_id, _ = delivered_project(api, 1)
    events.on_project_status(project_id, "inProgress", "paused")
    events.on_project_status(project_id, "paused", "inProgress")
    _notify()
    events.on_project_status(project_id, "inProgress", "paused")
    _notify()
    assert [mail.subject.split(":")[0] for mail in sent_mail()] == [
        "[ByteBridge] Project inProgress",
        "[ByteBridge] Project paused",
    ]


def test_drafts_and_deletions_are_not_mailed(api):
    project_id, _ = delivered_project(api, 1)
    events.on_project_status(project_id, "checking", "draft")  # e.g. review sent it back
    events.on_project_status(project_id, "draft", "deleted")
    assert _notify() == {"ready_mails": 0, "status_mails": 0}
    assert sent_mail() == []


def test_a_deleted_project_mails_nothing_that_was_pending(api):
    project_id, items = delivered_project(api, 2)
    _finish(project_id, items)
    set_status(api, project_id, ProjectStatus.DELETED)
    assert _notify() == {"ready_mails": 0, "status_mails": 0}
    assert sent_mail() == []
    assert ProjectDeliveryModel.get(project_id).ready_flag is None
