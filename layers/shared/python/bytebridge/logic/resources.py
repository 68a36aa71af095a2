"""submitResource: links to the client's files become data items of a project."""

from urllib.parse import unquote, urlsplit

from pynamodb.exceptions import UpdateError

from bytebridge import ids
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.base import now_ms
from bytebridge.dal.items import ItemModel, ItemStatus, ResourceType
from bytebridge.dal.projects import ProjectModel, ProjectStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.projects import conditional_failure, get_live_project
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


def _delete_items(items: list[ItemModel]) -> None:
    with ItemModel.batch_write() as batch:
        for item in items:
            batch.delete(item)


def submit_resources(account: AccountModel, params: SubmitResourceParams) -> SubmitResourceData:
    """Add one item per link, then count them on the project in one conditional update. If the project
    left the upload statuses meanwhile, the items are taken back and the call answers 25 (or 8)."""
    project = get_live_project(account.user_id, params.project_id)
    if project.status_enum not in UPLOAD_STATUSES:
        raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, f"a {project.status} project takes no uploads")
    kind = check_links(params.resource_type, params.resource_urls)
    now = now_ms()
    items = [
        ItemModel(
            project.project_id,
            ids.new_item_id(now, position),
            user_id=account.user_id,
            resource_type=kind.value,
            url=url,
            status=ItemStatus.NOT_STARTED.value,
            created_at=now,
            updated_at=now,
        )
        for position, url in enumerate(params.resource_urls)
    ]
    with ItemModel.batch_write() as batch:
        for item in items:
            batch.save(item)
    count = len(items)
    try:
        project.update(
            actions=[
                ProjectModel.item_count.add(count),
                ProjectModel.not_started_count.add(count),
                ProjectModel.resources_submitted.add(count),
                ProjectModel.updated_at.set(now),
            ],
            condition=ProjectModel.status.is_in(*(status.value for status in UPLOAD_STATUSES)),
            add_version_condition=False,
        )
    except UpdateError as exc:
        _delete_items(items)
        if conditional_failure(exc):
            get_live_project(account.user_id, project.project_id)  # 8 if it was deleted meanwhile
            raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, "the project left the upload statuses") from exc
        raise
    urls = list(params.resource_urls)
    return SubmitResourceData(
        project_id=project.project_id,
        resource_type=kind.value,
        resource_dta=urls,
        resource_data=urls,
        created=now // 1000,
    )


def purge_unstarted_items(project: ProjectModel) -> int:
    """Remove the items no one has started (their files were purged: "上传文件后长期未启动,我们将清除临时存储的
    文件") and take them off the counters. resources_submitted stays, so a later start answers code 10's
    second text rather than 11. Returns how many were removed."""
    unstarted = ItemModel.status == ItemStatus.NOT_STARTED.value
    items = list(ItemModel.query(project.project_id, filter_condition=unstarted, consistent_read=True))
    if not items:
        return 0
    _delete_items(items)
    project.update(
        actions=[
            ProjectModel.item_count.add(-len(items)),
            ProjectModel.not_started_count.add(-len(items)),
            ProjectModel.updated_at.set(now_ms()),
        ],
        add_version_condition=False,
    )
    return len(items)
