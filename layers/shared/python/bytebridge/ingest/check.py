"""The check of new items: read each one's first bytes (an https link through the SSRF-safe fetcher, an object of
our data bucket by a ranged GetObject, a bucket import's object through its origin), find what the file really is
(bytebridge.media), and either make the item ready (not started, with its media type, size and image
width×height) or refuse it with a reason. Each item is checked once: a redelivered request finds it no longer
checking and leaves it."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from bytebridge.annotations import TaskType
from bytebridge.aws import client
from bytebridge.dal.items import CheckOutcome, ItemModel, items_to_check, record_checks
from bytebridge.dal.projects import ProjectModel, get_project
from bytebridge.enums import ResourceType
from bytebridge.flows.model import DRAWING_TYPES
from bytebridge.flows.store import load_flow
from bytebridge.ingest import origins
from bytebridge.ingest.frames import request_frames
from bytebridge.media import Media, MediaKind, identify
from bytebridge.public_net import fetch_head
from bytebridge.settings import get_settings

if TYPE_CHECKING:  # PyAV (ffmpeg) loads where audio or video is probed, not with every importer (the client API)
    from bytebridge.avprobe import AvFacts

HEAD_BYTES = 64 * 1024  # enough for nearly every header
MORE_BYTES = 2 * 1024 * 1024  # a JPEG whose metadata (EXIF thumbnails, ICC, XMP) comes before its frame header
VIDEO_BYTES = 64 * 1024 * 1024  # a clip is probed from its bytes read whole up to this (longer: from its start)
AV_BYTES = 16 * 1024 * 1024  # audio is probed from its bytes: read whole up to this (longer: duration unknown)
FETCHERS = 8  # head fetches of one request in parallel (network-bound)

# The media kind each resource type must really be.
_KINDS: dict[str, MediaKind] = {
    ResourceType.IMAGE: MediaKind.IMAGE,
    ResourceType.GRAPHIC: MediaKind.IMAGE,
    ResourceType.AUDIO: MediaKind.AUDIO,
    ResourceType.TEXT: MediaKind.TEXT,
    ResourceType.VIDEO: MediaKind.VIDEO,
}
_WANTED = {
    MediaKind.IMAGE: "a picture",
    MediaKind.AUDIO: "audio",
    MediaKind.TEXT: "UTF-8 text",
    MediaKind.VIDEO: "video",
}
# What the tasks of a flow look at, beyond the item's resource type: drawing tasks need a picture, but those that
# mark time spans of a recording need the recording.
_LISTENING = frozenset({TaskType.AUDIO_SEGMENTS})
_READING = frozenset({TaskType.TEXT_SPANS})  # text entities are marked on the text itself
_WATCHING = frozenset({TaskType.VIDEO_EVENTS, TaskType.VIDEO_DETECTION, TaskType.VIDEO_TRACKING})
_TASK_MEDIA: dict[MediaKind, frozenset[TaskType]] = {
    MediaKind.IMAGE: DRAWING_TYPES - _LISTENING - _READING - _WATCHING,
    MediaKind.AUDIO: _LISTENING,
    MediaKind.TEXT: _READING,
    MediaKind.VIDEO: _WATCHING,
}
Needs = dict[MediaKind, list[str]]  # media kind → the flow's task types that need it


@dataclass(frozen=True)
class Bytes:
    """The first bytes of a file: what its source declared, and its whole size when the source told it."""

    data: bytes
    content_type: str | None
    total_size: int | None

    @property
    def complete(self) -> bool:
        return self.total_size is not None and len(self.data) >= self.total_size


class Unreadable(Exception):
    """The file could not be read: the message is the refusal reason."""


def _from_link(url: str, limit: int) -> Bytes:
    head = fetch_head(url, limit, get_settings().fetch_timeout_seconds)
    if isinstance(head, str):
        raise Unreadable(f"the link could not be read ({head})")
    if not 200 <= head.status < 300:
        raise Unreadable(f"the link answered HTTP {head.status}")
    return Bytes(head.data, head.content_type, head.total_size)


def _from_bucket(url: str, limit: int) -> Bytes:
    """An s3:// object of our data bucket (admission allowed only the caller's own prefix there)."""
    parts = urlsplit(url)
    if parts.netloc != get_settings().data_bucket:
        raise Unreadable("s3:// links must name files uploaded to ByteBridge")
    try:
        answer = client("s3").get_object(Bucket=parts.netloc, Key=parts.path[1:], Range=f"bytes=0-{limit - 1}")
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "404", "InvalidRange"):
            raise Unreadable("no such file in the bucket (or it is empty)") from exc
        raise
    total = str(answer.get("ContentRange", "")).rpartition("/")[2]
    size = int(total) if total.isdigit() else answer.get("ContentLength")
    return Bytes(answer["Body"].read(limit), answer.get("ContentType"), size)


def _from_origin(origin: str, url: str, limit: int) -> Bytes:
    """A bucket import's object, read with that import's credentials (bytebridge.ingest.origins)."""
    try:
        data = origins.read_head(origin, url, limit)
    except origins.OriginUnreadable as exc:
        raise Unreadable(f"the file could not be read ({exc})") from exc
    return Bytes(data, None, len(data) if len(data) < limit else None)


def read_head(item: ItemModel, limit: int) -> Bytes:
    if item.origin:
        return _from_origin(item.origin, item.url, limit)
    if item.url.lower().startswith("s3://"):
        return _from_bucket(item.url, limit)
    return _from_link(item.url, limit)


def _identify(item: ItemModel) -> tuple[Media, Bytes]:
    head = read_head(item, HEAD_BYTES)
    media = identify(head.data, head.content_type, complete=head.complete or len(head.data) < HEAD_BYTES)
    if media.needs_more:
        head = read_head(item, MORE_BYTES)
        media = identify(head.data, head.content_type, complete=True)  # no size in 2 MB: treated as none at all
    return media, head


def _refusal(item: ItemModel, media: Media, needs: Needs) -> str | None:
    """Why the file cannot be this item, or None."""
    wanted = _KINDS[item.resource_type]
    if media.kind is not wanted:
        what = media.mime if media.note is None else f"{media.mime}: {media.note}"
        return f"the file is {what}, not {_WANTED[wanted]}"
    if media.note is not None:
        return f"the file is {media.mime}: {media.note}"
    for kind, tasks in needs.items():
        if tasks and media.kind is not kind:
            return f"{', '.join(tasks)} tasks need {_WANTED[kind]}"
    return None


class Sound(NamedTuple):
    duration_ms: int | None = None
    sample_rate: int | None = None
    channels: int | None = None


def _probe_audio(item: ItemModel, head: Bytes) -> tuple[Sound, str | None]:
    """(facts, None) of playable audio, read whole up to AV_BYTES; (no facts, why) when ffmpeg cannot play it.
    A longer file is probed from its first AV_BYTES: its duration stays unknown (ffmpeg would measure the part
    read), and one that does not probe from its start (an m4a whose index comes last) is kept without facts
    rather than refused."""
    if not head.complete and len(head.data) < AV_BYTES:
        head = read_head(item, AV_BYTES)
    whole = head.complete or len(head.data) < AV_BYTES
    from bytebridge.avprobe import NotMedia, probe

    try:
        facts = probe(head.data)
    except NotMedia as exc:
        return Sound(), (f"the file is {item.resource_type} that cannot be played: {exc.reason}" if whole else None)
    duration = round(facts.duration_seconds * 1000) if whole and facts.duration_seconds > 0 else None
    return Sound(duration, facts.sample_rate, facts.channels), None


def kept_text(head: Bytes) -> str | None:
    """A text read whole within HEAD_BYTES, decoded as the annotators' browsers decode it (no byte-order mark):
    kept with the item, so text-entity offsets are exported against the very text labeled (docs/task-types.md).
    None for a longer text, or one that is not wholly UTF-8. At 64 KiB a text keeps its item far below DynamoDB's
    400 KB, and a check transaction of 49 items below its 4 MB."""
    if not (head.complete or len(head.data) < HEAD_BYTES):
        return None
    try:
        return head.data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def _probe_video(item: ItemModel, head: Bytes) -> tuple["AvFacts | None", str | None]:
    """(facts, None) of a playable clip, read whole up to VIDEO_BYTES; (None, why) otherwise. A longer clip is
    probed from its start, which holds an mp4's index only when it was written "fast start"."""
    if not head.complete and len(head.data) < VIDEO_BYTES:
        head = read_head(item, VIDEO_BYTES)
    whole = head.complete or len(head.data) < VIDEO_BYTES
    from bytebridge.avprobe import NotMedia, probe

    try:
        facts = probe(head.data)
    except NotMedia as exc:
        hint = "" if whole else " from its first 64 MiB (put an mp4's index first: ffmpeg -movflags +faststart)"
        return None, f"the file is video that cannot be played{hint}: {exc.reason}"
    if facts.kind != "video":
        return None, f"the file is {facts.container} audio, not video"
    return facts, None


def check_item(item: ItemModel, needs: Needs) -> CheckOutcome:
    """The outcome of one item's check (a source that cannot be read refuses it; AWS errors raise)."""
    try:
        media, head = _identify(item)
        refusal, sound = _refusal(item, media, needs), Sound()
        if refusal is None and media.kind is MediaKind.AUDIO:
            sound, refusal = _probe_audio(item, head)
        clip = None
        if refusal is None and media.kind is MediaKind.VIDEO:
            clip, refusal = _probe_video(item, head)
        if clip is not None:
            sound = Sound(round(clip.duration_seconds * 1000) or None, clip.sample_rate, clip.channels)
        text = kept_text(head) if media.kind is MediaKind.TEXT else None
        if refusal is None and text is None and needs.get(MediaKind.TEXT):
            refusal = f"{', '.join(needs[MediaKind.TEXT])} tasks take UTF-8 texts of at most {HEAD_BYTES // 1024} KiB"
    except Unreadable as exc:
        return CheckOutcome(item.item_id, None, None, None, None, str(exc))
    return CheckOutcome(
        item.item_id,
        media.mime,
        head.total_size,
        clip.width if clip else media.width,
        clip.height if clip else media.height,
        refusal,
        *sound,
        text=text,
        frame_rate=clip.frame_rate if clip else None,
    )


def media_needs(project: ProjectModel) -> Needs:
    """The task types of the project's saved flow that need a given media kind (boxes need a picture, audio
    segments a recording), by kind."""
    if project.flow_version is None:
        return {}
    flow = load_flow(project.project_id, project.flow_version)
    found = {TaskType(node.task_type) for node in flow.task_nodes()}
    return {kind: sorted(str(task) for task in found & tasks) for kind, tasks in _TASK_MEDIA.items()}


def check_loaded(project: ProjectModel, items: list[ItemModel]) -> int:
    """Check these items of the project (as read, still checking) and record each outcome; returns how many were
    recorded (an item recorded meanwhile by another run is left as it is)."""
    if not items:
        return 0
    needs = media_needs(project)
    with ThreadPoolExecutor(max_workers=min(FETCHERS, len(items))) as pool:
        outcomes = list(pool.map(lambda item: check_item(item, needs), items))
    recorded = record_checks(project.user_id, list(zip(items, outcomes, strict=True)))
    clips = [o.item_id for i, o in zip(items, outcomes, strict=True) if o.refusal is None and o.frame_rate is not None]
    request_frames(project, clips)  # once the items are ready: a redelivered check asks again, harmlessly
    return recorded


def check_items(user_id: str, project_id: str, item_ids: list[str]) -> int:
    """The consumer's work: check those of the items still waiting for it (see check_loaded)."""
    project = get_project(user_id, project_id)
    if project is None:
        return 0
    return check_loaded(project, items_to_check(project_id, item_ids))
