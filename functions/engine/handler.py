"""The engine's Lambdas: the consensus step the item state machine calls after each round of annotator slots
(and its catch-all for a step that kept failing), and the launcher (a project's first wave when the lifecycle
lets it run; a top-up of every running project on its schedule)."""

from aws_lambda_powertools import Logger

from bytebridge.delivery.lookup import find_project
from bytebridge.engine import advance, launch
from bytebridge.engine.state import ItemState

logger = Logger(service="engine")


@logger.inject_lambda_context
def consensus(event: dict, context) -> dict:
    state = ItemState.model_validate(event)
    logger.append_keys(projectId=state.project_id, itemId=state.item_id)
    if "error" in event:  # the state machine's Catch: the step failed after its retries
        return advance.fail_item(state, str(event["error"].get("Cause") or event["error"])).wire()
    out = advance.advance(state)
    logger.info("advanced", extra={"action": out.action, "task": out.task.wire() if out.task else None})
    return out.wire()


@logger.inject_lambda_context
def launcher(event: dict, context) -> dict:
    if project_id := event.get("projectId"):  # the lifecycle: this project may run now
        project = find_project(project_id)
        return {"launched": launch.launch_wave(project) if project else 0}
    launched = launch.top_up()
    logger.info("top-up", extra={"launched": launched})
    return {"launched": launched}
