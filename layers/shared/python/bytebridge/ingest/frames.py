"""Sampled frames of video items, extracted once per item (not once per annotator) by the frame-job function
(functions/frame_job, bytebridge.ingest.extract) and kept in the data bucket under the project's prefix, so a
project's purge removes them: `<userId>/<projectId>/frames/<itemId>/<frame, 6 digits>.jpg`.

Which frames: those of the project's video_detection nodes, every `sampleEvery`-th (the smallest when several
nodes sample differently, so each node's frames are among them). A flow without detection nodes needs none:
annotators of events and tracking play the clip itself through their assignment's data link.
"""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from bytebridge.annotations import TaskType
from bytebridge.aws import client
from bytebridge.dal.projects import ProjectModel
from bytebridge.flows.store import load_flow
from bytebridge.settings import resource_name
from bytebridge.storage import project_prefix

FRAME_FUNCTION = "frame-job"
BATCH = 25  # items per invocation: the ingest check's batch


class FrameJobEvent(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    user_id: str
    project_id: str
    item_ids: list[str] = Field(min_length=1, max_length=BATCH)


def frame_key(user_id: str, project_id: str, item_id: str, frame: int) -> str:
    return f"{project_prefix(user_id, project_id)}frames/{item_id}/{frame:06d}.jpg"


def sampling(project: ProjectModel) -> int | None:
    """Every how many frames the project's detection nodes label (None: no node needs frames)."""
    if project.flow_version is None:
        return None
    nodes = load_flow(project.project_id, project.flow_version).task_nodes()
    steps = [node.sample_every or 1 for node in nodes if node.task_type == TaskType.VIDEO_DETECTION]
    return min(steps) if steps else None


def request_frames(project: ProjectModel, item_ids: list[str]) -> int:
    """Have frame-job extract the frames of these ready video items, apart from the caller (InvocationType=Event);
    returns how many items were sent (none when the flow needs no frames)."""
    if not item_ids or sampling(project) is None:
        return 0
    for start in range(0, len(item_ids), BATCH):
        batch = item_ids[start : start + BATCH]
        event = FrameJobEvent(user_id=project.user_id, project_id=project.project_id, item_ids=batch)
        client("lambda").invoke(
            FunctionName=resource_name(FRAME_FUNCTION),
            InvocationType="Event",
            Payload=event.model_dump_json(by_alias=True).encode(),
        )
    return len(item_ids)
