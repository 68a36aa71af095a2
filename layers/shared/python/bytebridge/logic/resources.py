"""submitResource: links to the client's files become data items of a project."""

from urllib.parse import unquote, urlsplit

from bytebridge import ids
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.items import add_resources, delete_rows
from bytebridge.dal.projects import count_uploads, get_live_project
from bytebridge.enums import ProjectStatus, ResourceType
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.models.client_api import (
    MAX_URL_LENGTH,
    RESOURCE_EXTENSIONS,
    URL_SCHEMES,
    SubmitResourceData,
    SubmitResourceParams,
)

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


def _link_error(url: str, position: int) -> ApiError | None:
    """Code 10 for a link we cannot fetch: too long, not http(s)/s3, no host, or with spaces/control chars."""
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
    return None


def _extension(url: str) -> str:
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_links(resource_type: str, urls: list[str]) -> ResourceType:
    """The resource type, if `urls` are acceptable links to files of that type; ApiError 10 or 24 otherwise."""
    if resource_type not in set(ResourceType):
        raise ApiError(ErrorCode.RESOURCE_INVALID, f"resourceType must be one of {', '.join(ResourceType)}")
    kind = ResourceType(resource_type)
    if not urls:
        raise ApiError(ErrorCode.RESOURCE_INVALID, "resourceURLs is empty")
    for position, url in enumerate(urls):
        if error := _link_error(url, position):
            raise error
    allowed = RESOURCE_EXTENSIONS[kind]
    for position, url in enumerate(urls):
        if _extension(url) not in allowed:
            raise ApiError(
                ErrorCode.RESOURCE_INVALID,
                f"resourceURLs[{position}] is not a {kind} file ({', '.join(sorted(allowed))})",
            )
    if len(set(urls)) != len(urls):
        raise ApiError(ErrorCode.RESOURCE_INVALID, "resourceURLs lists a link twice")
    return kind


def submit_resources(account: AccountModel, params: SubmitResourceParams) -> SubmitResourceData:
    """Add one item per link, then count them on the project in one conditional update. If the project
    left the upload statuses meanwhile, the items are taken back and the call answers 25 (or 8)."""
    project = get_live_project(account.user_id, params.project_id)
    if project.status_enum not in UPLOAD_STATUSES:
        raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, f"a {project.status} project takes no uploads")
    kind = check_links(params.resource_type, params.resource_urls)
    now = now_ms()
    entries = [(ids.new_item_id(now, position), url) for position, url in enumerate(params.resource_urls)]
    items = add_resources(project.project_id, account.user_id, kind.value, entries, now)
    try:
        counted = count_uploads(project, len(items), now, UPLOAD_STATUSES)
    except Exception:
        delete_rows(items)
        raise
    if not counted:
        delete_rows(items)
        get_live_project(account.user_id, project.project_id)  # 8 if it was deleted meanwhile
        raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, "the project left the upload statuses")
    urls = list(params.resource_urls)
    return SubmitResourceData(
        project_id=project.project_id,
        resource_type=kind.value,
        resource_dta=urls,
        resource_data=urls,
        created=now // 1000,
    )
