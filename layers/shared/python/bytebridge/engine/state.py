"""What the item state machine (statemachines/item-flow.asl.json) passes between its states, and the SQS
message each annotator slot sends: ids and counters only, never answers or client data (256 KiB limit,
and execution history is readable by operators)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def wire(self) -> dict:
        return self.model_dump(by_alias=True, mode="json")


class SlotRef(_Wire):
    """One annotator slot of a task (the `step`-th task of the item's `round`, at `node_id`): the body of its SQS
    message. A slot is a request for one more annotator, not a seat: any message of the task serves while the
    task still wants annotators (bytebridge.engine.advance.demand)."""

    project_id: str
    item_id: str
    round: int
    step: int
    node_id: str
    slot: int


class Visit(_Wire):
    """The task visit waiting for its answer (stored in the item's progress): the Visit state's task token,
    completed once the task is settled."""

    node_id: str
    step: int
    asked: int  # annotators asked for so far (slot messages sent)
    token: str  # the current attempt's task token (a re-entered visit replaces it)
    opened_at: int  # ms; after assignment_timeout_seconds the task is settled with the answers it has
    seen: int = 0  # answers at the visit's last re-entry: none since, and nobody holding it, settles it


class ItemState(_Wire):
    """The execution's state: its input ({userId, projectId, itemId, round, flowVersion, heartbeatSeconds}) and
    what each task visit's token is completed with ("visit": the Choice goes back to Visit for the next task;
    "end": the item finished or failed, or is gone)."""

    user_id: str
    project_id: str
    item_id: str
    round: int = 0
    flow_version: int
    action: Literal["start", "visit", "end"] = "start"
    # The Visit state's TimeoutSecondsPath: a visit not settled within this long is entered again, which
    # re-issues its missing slots (and settles it with what it has once assignment_timeout_seconds passed).
    heartbeat_seconds: int | None = None


class TaskMessage(_Wire):
    """An annotator queue message, as the engine sends it."""

    task: SlotRef
