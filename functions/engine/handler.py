"""The engine's Lambdas: the consensus step the item state machine calls after each round of annotator slots
(and its catch-all for a step that kept failing), and the launcher (a project's first wave when the lifecycle
lets it run; a top-up of every running project on its schedule)."""

from bytebridge.dal.projects import find_project
from bytebridge.engine import advance, launch
from bytebridge.engine.state import ItemState
from bytebridge.observability import logger, metrics, tracer


@logger.inject_lambda_context(correlation_id_path="itemId")  # every step of an item's execution
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def consensus(event: dict, context) -> dict:
    state = ItemState.model_validate(event)
    logger.append_keys(projectId=state.project_id, itemId=state.item_id)
    if "error" in event:  # the state machine's Catch: the step failed after its retries
        return advance.fail_item(state, str(event["error"].get("Cause") or event["error"])).wire()
    out = advance.advance(state)
    logger.info("advanced", extra={"action": out.action, "task": out.task.wire() if out.task else None})
    return out.wire()


@logger.inject_lambda_context(correlation_id_path="projectId || id")  # the lifecycle's project, or the schedule's event
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def launcher(event: dict, context) -> dict:
    if project_id := event.get("projectId"):  # the lifecycle: this project may run now
        project = find_project(project_id)
        return {"launched": launch.launch_wave(project) if project else 0}
    launched = launch.top_up()
    logger.info("top-up", extra={"launched": launched})
    return {"launched": launched}
