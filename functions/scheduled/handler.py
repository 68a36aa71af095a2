"""The scheduled jobs, one entry point each (EventBridge schedules on AWS, the local scheduler thread here;
infra.catalog holds their rates). Every job is idempotent: a repeated or overlapping run changes nothing
more, so a schedule's at-least-once delivery is harmless."""

from dataclasses import asdict

from aws_lambda_powertools.logging import correlation_paths

from bytebridge.billing import topups
from bytebridge.delivery import acceptance, messages, notify, retention
from bytebridge.observability import logger, metrics, tracer


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def auto_accept(event: dict, context) -> dict:
    """Accept items nobody rejected within 21 days of delivery."""
    report = asdict(acceptance.auto_accept())
    logger.info("auto-accept", extra=report)
    return report


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def notify_clients(event: dict, context) -> dict:
    """Mail each client once per project about newly delivered items and status changes."""
    report = asdict(notify.send_pending_notices())
    logger.info("notify", extra=report)
    return report


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def notify_messages(event: dict, context) -> dict:
    """Mail each side of a message thread once, after the thread has been quiet for the quiet period."""
    sent = messages.send_quiet_thread_notices()
    logger.info("notify messages", extra={"mails": sent})
    return {"message_mails": sent}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def retention_purge(event: dict, context) -> dict:
    """Warn about, then purge, stored files of projects completed 7 days ago or idle drafts (30 days)."""
    report = asdict(retention.run_retention())
    logger.info("retention", extra=report)
    return report


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def purge_deleted(event: dict, context) -> dict:
    """Remove every trace of deleted projects (within 2 hours of the delete: this runs hourly)."""
    purged = retention.purge_deleted_projects()
    logger.info("purge deleted", extra={"purged": purged})
    return {"purged": purged}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def scheduled_top_ups(event: dict, context) -> dict:
    """Charge each account with running projects once when its balance will not cover the next period's usage."""
    report = asdict(topups.run_scheduled_top_ups())
    logger.info("scheduled top-ups", extra=report)
    return report
