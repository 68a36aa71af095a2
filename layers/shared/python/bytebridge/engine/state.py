"""What the item state machine (statemachines/item-flow.asl.json) passes between its states, and the SQS
message each annotator slot sends: ids and counters only, never answers or client data (256 KiB limit,
and execution history is readable by operators)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def wire(self) -> dict:
        return self.model_dump(by_alias=True, mode="json")


class TaskRef(_Wire):
    """The task in progress: the item's `step`-th task of this round, at `node_id`; `asked` slots issued."""

    node_id: str
    step: int = Field(ge=0)
    asked: int = Field(ge=0)


class SlotRef(_Wire):
    """One annotator slot of a task: the body of its SQS message (with the task token beside it)."""

    project_id: str
    item_id: str
    round: int
    step: int
    node_id: str
    slot: int


class ItemState(_Wire):
    """The execution's state: its input ({userId, projectId, itemId, round, flowVersion}) and what the consensus
    step returns each time ("assign": the Map sends `slots` to `queue_url`; "end": the item is finished)."""

    user_id: str
    project_id: str
    item_id: str
    round: int = 0
    flow_version: int
    task: TaskRef | None = None
    action: Literal["start", "assign", "end"] = "start"
    queue_url: str | None = None
    slots: list[SlotRef] = Field(default_factory=list)
    heartbeat_seconds: int | None = None
    timeout_seconds: int | None = None


class TaskMessage(_Wire):
    """An annotator queue message, as the state machine's sqs:sendMessage.waitForTaskToken writes it."""

    task_token: str = Field(min_length=1)
    task: SlotRef
