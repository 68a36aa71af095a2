"""The engine's Lambdas: the consensus step (the item state machine's Visit state, which opens or re-enters a
task visit with its token; the worker API's call after each submitted judgment; and the state machine's
catch-all for a Visit that kept failing), and the launcher (a project's first wave when the lifecycle lets it
run; a top-up of every running project on its schedule)."""

from bytebridge.dal.projects import find_project
from bytebridge.engine import advance, launch
from bytebridge.engine.state import ItemState, SlotRef
from bytebridge.observability import logger, metrics, tracer


@logger.inject_lambda_context(correlation_id_path="itemId || state.itemId || answered.itemId")  # one item's steps
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def consensus(event: dict, context) -> dict:
    if "answered" in event:  # the worker API, after a submitted judgment
        slot = SlotRef.model_validate(event["answered"])
        logger.append_keys(projectId=slot.project_id, itemId=slot.item_id)
        advance.on_answered(slot)
        return {}
    if "taskToken" in event:  # the Visit state (lambda:invoke.waitForTaskToken): its output comes by the token
        state = ItemState.model_validate(event["state"])
        logger.append_keys(projectId=state.project_id, itemId=state.item_id)
        advance.visit(state, event["taskToken"])
        return {}
    state = ItemState.model_validate(event)  # MarkFailed: the Visit step failed after its retries
    logger.append_keys(projectId=state.project_id, itemId=state.item_id)
    return advance.fail_item(state, str((event.get("error") or {}).get("Cause") or event.get("error"))).wire()


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
