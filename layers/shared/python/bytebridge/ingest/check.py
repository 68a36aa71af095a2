"""The check of new items: read each one's first bytes (an https link through the SSRF-safe fetcher, an object of
our data bucket by a ranged GetObject, a bucket import's object through its origin), find what the file really is
(bytebridge.media), and either make the item ready (not started, with its media type, size and image
width×height) or refuse it with a reason. Each item is checked once: a redelivered request finds it no longer
checking and leaves it."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
from bytebridge.media import Media, MediaKind, identify
from bytebridge.public_net import fetch_head
from bytebridge.settings import get_settings

HEAD_BYTES = 64 * 1024  # enough for nearly every header
MORE_BYTES = 2 * 1024 * 1024  # a JPEG whose metadata (EXIF thumbnails, ICC, XMP) comes before its frame header
FETCHERS = 8  # head fetches of one request in parallel (network-bound)

# The media kind each resource type must really be.
_KINDS: dict[str, MediaKind] = {
    ResourceType.IMAGE: MediaKind.IMAGE,
    ResourceType.GRAPHIC: MediaKind.IMAGE,
    ResourceType.AUDIO: MediaKind.AUDIO,
    ResourceType.TEXT: MediaKind.TEXT,
}
_WANTED = {MediaKind.IMAGE: "a picture", MediaKind.AUDIO: "audio", MediaKind.TEXT: "UTF-8 text"}


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


def _refusal(item: ItemModel, media: Media, drawing: list[str]) -> str | None:
    """Why the file cannot be this item, or None."""
    wanted = _KINDS[item.resource_type]
    if media.kind is not wanted:
        what = media.mime if media.note is None else f"{media.mime}: {media.note}"
        return f"the file is {what}, not {_WANTED[wanted]}"
    if media.note is not None:
        return f"the file is {media.mime}: {media.note}"
    if drawing and media.kind is not MediaKind.IMAGE:
        return f"{', '.join(drawing)} tasks need a picture"
    return None


def check_item(item: ItemModel, drawing: list[str]) -> CheckOutcome:
    """The outcome of one item's check (a source that cannot be read refuses it; AWS errors raise)."""
    try:
        media, head = _identify(item)
    except Unreadable as exc:
        return CheckOutcome(item.item_id, None, None, None, None, str(exc))
    return CheckOutcome(
        item.item_id,
        media.mime,
        head.total_size,
        media.width,
        media.height,
        _refusal(item, media, drawing),
    )


def drawing_tasks(project: ProjectModel) -> list[str]:
    """The drawing task types of the project's saved flow (boxes, strokes, …: they need a picture)."""
    if project.flow_version is None:
        return []
    flow = load_flow(project.project_id, project.flow_version)
    found = {TaskType(node.task_type) for node in flow.task_nodes()} & DRAWING_TYPES
    return sorted(str(task) for task in found)


def check_loaded(project: ProjectModel, items: list[ItemModel]) -> int:
    """Check these items of the project (as read, still checking) and record each outcome; returns how many were
    recorded (an item recorded meanwhile by another run is left as it is)."""
    if not items:
        return 0
    drawing = drawing_tasks(project)
    with ThreadPoolExecutor(max_workers=min(FETCHERS, len(items))) as pool:
        outcomes = list(pool.map(lambda item: check_item(item, drawing), items))
    return record_checks(project.user_id, list(zip(items, outcomes, strict=True)))


def check_items(user_id: str, project_id: str, item_ids: list[str]) -> int:
    """The consumer's work: check those of the items still waiting for it (see check_loaded)."""
    project = get_project(user_id, project_id)
    if project is None:
        return 0
    return check_loaded(project, items_to_check(project_id, item_ids))
