"""submitResource: links to the client's files become data items of a project, through `admit`, the one admission
entry point of every intake (links, web uploads, bucket imports)."""

from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from bytebridge import ids
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.items import add_resources, refused_page
from bytebridge.dal.projects import ProjectModel, get_live_project
from bytebridge.delivery import cursor
from bytebridge.enums import ProjectStatus, ResourceType
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.ingest.requests import request_checks
from bytebridge.models.client_api import (
    MAX_URL_LENGTH,
    RESOURCE_EXTENSIONS,
    URL_SCHEMES,
    ProjectType,
    SubmitResourceData,
    SubmitResourceParams,
)
from bytebridge.models.ingest import (
    MAX_REFUSED_PAGE,
    ListRefusedItemsData,
    ListRefusedItemsParams,
    RefusedItem,
)
from bytebridge.settings import get_settings

# Uploads are open before review and again after the trial ("补传数据", "Add Batch"), never while
# operators review or label the trial, and not once the project is completed.
UPLOAD_STATUSES = frozenset(
    {
        ProjectStatus.DRAFT,
        ProjectStatus.TRIAL_DONE,
        ProjectStatus.WAITING_PAYMENT,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.PAUSED,
    }
)


# The resource types a project of each documented type can label (other types: any). A text project takes no
# images or audio; image projects take no text, and boxes or strokes need a picture. Media classification (audio,
# video: the docs' 音频分类/视频分类) is an image_classification project on those resources.
PROJECT_RESOURCES: dict[str, frozenset[ResourceType]] = {
    ProjectType.IMAGE_CLASSIFICATION: frozenset(
        {ResourceType.IMAGE, ResourceType.GRAPHIC, ResourceType.AUDIO, ResourceType.VIDEO}
    ),
    ProjectType.TEXT_CLASSIFICATION: frozenset({ResourceType.TEXT}),
    ProjectType.IMAGE_RECTANGLE_FRAME_SELECT: frozenset({ResourceType.IMAGE, ResourceType.GRAPHIC}),
    ProjectType.IMAGE_STROKE: frozenset({ResourceType.IMAGE, ResourceType.GRAPHIC}),
}
# Picture links may have no file extension (CDN and presigned links): what they hold is checked by its bytes later.
_EXTENSIONLESS_OK = frozenset({ResourceType.IMAGE, ResourceType.GRAPHIC})


def _foreign_object(parts: SplitResult, user_id: str) -> bool:
    """True for an s3:// link into one of the platform's own buckets that is not under the caller's own prefix
    (another tenant's files, or exports): the platform would read or presign it for the caller."""
    settings = get_settings()
    if parts.netloc not in {settings.data_bucket, settings.exports_bucket}:
        return False
    key = parts.path.removeprefix("/")
    segments = key.split("/")
    return (
        parts.netloc != settings.data_bucket
        or not key.startswith(f"{user_id}/")
        or any(segment in {"", ".", ".."} for segment in segments)
        or bool(parts.query or parts.fragment)
    )


def _link_error(url: str, position: int, user_id: str) -> ApiError | None:
    """Code 10 for a link we cannot fetch: too long, not http(s)/s3, no host, with spaces/control chars, or an
    s3:// link into the platform's buckets outside the caller's own prefix."""
    where = f"resourceURLs[{position}]"
    if len(url) > MAX_URL_LENGTH:
        return ApiError(ErrorCode.RESOURCE_LINK_INVALID, f"{where} is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in URL_SCHEMES
        or not parts.netloc
        or any(ch.isspace() or not ch.isprintable() for ch in url)
    ):
        return ApiError(ErrorCode.RESOURCE_LINK_INVALID, f"{where} is not an {'/'.join(URL_SCHEMES)} link")
    if parts.scheme.lower() == "s3" and _foreign_object(parts, user_id):
        return ApiError(ErrorCode.RESOURCE_LINK_INVALID, f"{where} is not a file of this account")
    return None


def _file_name(url: str) -> str:
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1]


def _extension(url: str) -> str:
    name = _file_name(url)
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _fits(kind: ResourceType, url: str) -> bool:
    """Whether the link's file name suits `kind`: a known extension, or none at all on an https picture link."""
    if _extension(url) in RESOURCE_EXTENSIONS[kind]:
        return True
    name = _file_name(url)
    return kind in _EXTENSIONLESS_OK and bool(name) and "." not in name and url[:8].lower() == "https://"


def check_links(resource_type: str, urls: list[str], user_id: str, *, repeats_allowed: bool = False) -> ResourceType:
    """The resource type, if `urls` are acceptable links to files of that type; ApiError 10 or 24 otherwise."""
    if resource_type not in set(ResourceType):
        raise ApiError(ErrorCode.RESOURCE_INVALID, f"resourceType must be one of {', '.join(ResourceType)}")
    kind = ResourceType(resource_type)
    if not urls:
        raise ApiError(ErrorCode.RESOURCE_INVALID, "resourceURLs is empty")
    for position, url in enumerate(urls):
        if error := _link_error(url, position, user_id):
            raise error
    allowed = RESOURCE_EXTENSIONS[kind]
    for position, url in enumerate(urls):
        if not _fits(kind, url):
            raise ApiError(
                ErrorCode.RESOURCE_INVALID,
                f"resourceURLs[{position}] is not a {kind} file ({', '.join(sorted(allowed))})",
            )
    if not repeats_allowed and len(set(urls)) != len(urls):
        raise ApiError(ErrorCode.RESOURCE_INVALID, "resourceURLs lists a link twice")
    return kind


def _check_fits_project(project_type: str, kind: ResourceType) -> None:
    allowed = PROJECT_RESOURCES.get(project_type)
    if allowed is not None and kind not in allowed:
        raise ApiError(
            ErrorCode.RESOURCE_INVALID,
            f"a {project_type} project takes {', '.join(sorted(allowed))} resources, not {kind}",
        )


@dataclass(frozen=True)
class Admitted:
    """What one admission did: the links (or object URLs) that became new items, and those already in the project
    (in the order given, each once)."""

    added: list[str]
    existing: list[str]
    created_ms: int


def admit(project: ProjectModel, kind: str, urls: list[str], *, origin: str | None = None) -> Admitted:
    """The one way into a project: each of `urls` not yet in it becomes an item in the checking state (one claim per
    link, counted on the project in the same transaction, so a retry or a concurrent call adds nothing twice), and
    its check is requested (bytebridge.ingest: the item is launched only once its bytes were found fit). `origin`:
    the bucket import the bytes are read through (bytebridge.ingest.origins); None: the link itself. The caller
    validated the links (syntax, tenancy). ApiError 24 if `kind` does not suit the project, 25 if the project takes
    no uploads (also if it left the upload statuses meanwhile: the items are taken back), 8 if it is gone."""
    if project.status_enum not in UPLOAD_STATUSES:
        raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, f"a {project.status} project takes no uploads")
    if kind not in set(ResourceType):
        raise ApiError(ErrorCode.RESOURCE_INVALID, f"resourceType must be one of {', '.join(ResourceType)}")
    _check_fits_project(project.type, ResourceType(kind))
    unique = list(dict.fromkeys(urls))
    now = now_ms()
    entries = [(ids.new_item_id(now, position), url) for position, url in enumerate(unique)]
    statuses = [status.value for status in UPLOAD_STATUSES]
    items = add_resources(project, kind, entries, now, statuses, origin)
    if items is None:
        get_live_project(project.user_id, project.project_id)  # 8 if it was deleted meanwhile
        raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, "the project left the upload statuses")
    request_checks(project, items)
    new = {item.url for item in items}
    return Admitted(
        added=[url for url in unique if url in new],
        existing=[url for url in unique if url not in new],
        created_ms=now,
    )


def submit_resources(account: AccountModel, params: SubmitResourceParams) -> SubmitResourceData:
    """submitResource: the links, once validated, admitted (see `admit`)."""
    project = get_live_project(account.user_id, params.project_id)
    if project.status_enum not in UPLOAD_STATUSES:
        raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, f"a {project.status} project takes no uploads")
    kind = check_links(params.resource_type, params.resource_urls, account.user_id, repeats_allowed=True)
    admitted = admit(project, kind.value, params.resource_urls)
    urls = list(params.resource_urls)
    return SubmitResourceData(
        project_id=project.project_id,
        resource_type=kind.value,
        resource_dta=urls,
        resource_data=urls,
        created=admitted.created_ms // 1000,
        added_urls=admitted.added,
        existing_urls=admitted.existing,
    )


_REFUSED_LISTING = "refused"
_REFUSED_KEYS = frozenset({"project_id", "item_id"})


def list_refused_items(account: AccountModel, params: ListRefusedItemsParams) -> ListRefusedItemsData:
    """listRefusedItems: one page of the project's refused files (upload order) with the reasons."""
    project = get_live_project(account.user_id, params.project_id)
    if not 1 <= params.limit <= MAX_REFUSED_PAGE:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"limit must be 1–{MAX_REFUSED_PAGE}")
    start_key = cursor.decode(params.cursor, _REFUSED_LISTING, _REFUSED_KEYS, project.project_id)
    items, last_key = refused_page(project.project_id, params.limit, start_key)
    return ListRefusedItemsData(
        project_id=project.project_id,
        checking_count=project.checking_count or 0,
        refused_count=project.refused_count or 0,
        items=[
            RefusedItem(
                item_id=item.item_id, url=item.url, reason=item.refusal or "", mime=item.mime, created=item.created_at
            )
            for item in items
        ],
        next_cursor=cursor.encode(_REFUSED_LISTING, last_key),
    )
