"""The frame job's work (functions/frame_job): read a video item's clip once and store its sampled frames as
JPEGs (bytebridge.ingest.frames says which, and where)."""

from bytebridge.avprobe import NotMedia, sample_frames
from bytebridge.aws import client
from bytebridge.dal.items import get_item
from bytebridge.dal.projects import get_project
from bytebridge.enums import ResourceType
from bytebridge.ingest.check import VIDEO_BYTES, Unreadable, read_head
from bytebridge.ingest.frames import frame_key, sampling
from bytebridge.settings import get_settings

MAX_FRAMES = 20_000  # an hour at 30 fps sampled every 5th frame is 21 600: longer clips are sampled coarser


def extract_frames(user_id: str, project_id: str, item_id: str) -> int:
    """Store the item's sampled frames; returns how many (0: nothing to do, or the clip cannot be read). Running it
    again writes the same keys: Lambda's async retries are harmless."""
    project = get_project(user_id, project_id)
    item = get_item(project_id, item_id)
    every = sampling(project) if project is not None else None
    if item is None or item.resource_type != ResourceType.VIDEO or every is None:
        return 0
    try:
        data = read_head(item, VIDEO_BYTES).data
    except Unreadable:
        return 0
    total = round(item.duration_ms / 1000 * float(item.frame_rate)) if item.duration_ms and item.frame_rate else 0
    while total // every > MAX_FRAMES:
        every *= 2  # multiples of the nodes' step: the frames kept are among theirs
    s3, bucket, count = client("s3"), get_settings().data_bucket, 0
    try:
        for frame, jpeg in sample_frames(data, every):
            s3.put_object(
                Bucket=bucket, Key=frame_key(user_id, project_id, item_id, frame), Body=jpeg, ContentType="image/jpeg"
            )
            count += 1
    except NotMedia:  # a clip that stops decoding part way: the frames before stay
        pass
    return count
