"""The documented API error codes (docs: API错误代码) and the one exception type that carries them."""

from enum import IntEnum


class ErrorCode(IntEnum):
    SUCCESS = 0
    UNKNOWN = 1
    PARAMETER_INVALID = 2
    JSON_PARSE_FAILED = 3
    URL_INVALID = 4
    PERMISSION_DENIED = 5
    USER_NOT_FOUND = 6
    PROJECT_CREATE_FAILED = 7
    PROJECT_NOT_FOUND = 8
    PROJECT_UPDATE_FAILED = 9
    RESOURCE_LINK_INVALID = 10
    NO_RESOURCES = 11
    CARD_REQUIRED = 12
    UNDER_REVIEW = 13
    ALREADY_RUNNING = 14
    ALREADY_COMPLETED = 15
    UNSETTLED_CREDIT = 16
    SETTLEMENT_IN_PROGRESS = 17
    CHECKING_STATUS = 18
    START_FAILED = 19
    PAUSED = 20
    PAUSE_FAILED = 21
    DELETE_NOT_ALLOWED = 22
    DELETE_FAILED = 23
    RESOURCE_INVALID = 24
    UPLOAD_NOT_ALLOWED = 25
    QUERY_FAILED = 26
    SIGNATURE_FAILED = 27
    MODIFY_AFTER_OPEN = 28


# Messages exactly as documented, typos included: clients match on them.
MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.SUCCESS: "success",
    ErrorCode.UNKNOWN: "unknown error",
    ErrorCode.PARAMETER_INVALID: "Parameter missing or invalid",
    ErrorCode.JSON_PARSE_FAILED: "Json parsing failed",
    ErrorCode.URL_INVALID: "Api request url is invalid",
    ErrorCode.PERMISSION_DENIED: "Permission error, interface does not provide external access",
    ErrorCode.USER_NOT_FOUND: "API request user does not exist",
    ErrorCode.PROJECT_CREATE_FAILED: "Project creation failed, please check the parameter configuration",
    ErrorCode.PROJECT_NOT_FOUND: "The project does not exist",
    ErrorCode.PROJECT_UPDATE_FAILED: "Project update failed,Please check for the project configurarion",
    ErrorCode.RESOURCE_LINK_INVALID: (
        "Failed to submit the resource link, please check whether the resource link is too long"
    ),
    ErrorCode.NO_RESOURCES: ("The project has not uploaded files and cannot be opened, please upload files first"),
    ErrorCode.CARD_REQUIRED: "Please bind credit card information in dashboard first",
    ErrorCode.UNDER_REVIEW: "The project is under review",
    ErrorCode.ALREADY_RUNNING: "The project is already in progress, no need to start",
    ErrorCode.ALREADY_COMPLETED: "The project has been completed and can no longer be started",
    ErrorCode.UNSETTLED_CREDIT: "There is unsettled credit in this account",
    ErrorCode.SETTLEMENT_IN_PROGRESS: "There is credit under settlement, please try again later",
    ErrorCode.CHECKING_STATUS: "Checking for the project status, hold on for a second",
    ErrorCode.START_FAILED: "The project failed to start, please check the project configuration",
    ErrorCode.PAUSED: "The project has been paused",
    ErrorCode.PAUSE_FAILED: ("Project pause failed, please check the parameter configuration and try again later"),
    ErrorCode.DELETE_NOT_ALLOWED: "The project can not be deleted now",
    ErrorCode.DELETE_FAILED: "Failed to delete in the current state of the project",
    ErrorCode.RESOURCE_INVALID: "Invalid resource information,Please check resource",
    ErrorCode.UPLOAD_NOT_ALLOWED: "The current project status does not allow to upload resources",
    ErrorCode.QUERY_FAILED: ("Project information query failed, please check whether the retrieved parameters match"),
    ErrorCode.SIGNATURE_FAILED: "api key signature verification failed",
    ErrorCode.MODIFY_AFTER_OPEN: "Projects that have been opened for delivery review cannot be modified",
}

# Code 10 is documented twice; the second text is for starting a project whose files are all gone
# (purged or removed), as opposed to 11, a project that never had any.
NO_LIVE_RESOURCES_MESSAGE = "The project has not uploaded files and cannot be opened, please upload files first"


class ApiError(Exception):
    """A documented business error. `detail` is extra context for the client (never secrets)."""

    def __init__(self, code: ErrorCode, detail: str | None = None, message: str | None = None):
        self.code = code
        self.detail = detail
        self.message = message or MESSAGES[code]
        super().__init__(f"{int(code)} {self.message}" + (f": {detail}" if detail else ""))
