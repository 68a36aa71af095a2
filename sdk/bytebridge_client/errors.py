"""One exception per documented error code (API错误代码 1–28), each carrying the code, the documented message and
the server's detail; ByteBridgeHTTPError for answers that are not the API's JSON envelope (a gateway error)."""

from __future__ import annotations


class ByteBridgeError(Exception):
    """An error the client API answered: `code` (documented, 1–28), `message` (its documented text), `detail`."""

    code: int = 1

    def __init__(self, message: str, detail: str | None = None, code: int | None = None):
        self.code = self.code if code is None else code
        self.message, self.detail = message, detail
        super().__init__(f"[{self.code}] {message}" + (f": {detail}" if detail else ""))


class ByteBridgeHTTPError(ByteBridgeError):
    """An answer without the API's envelope: `status` is the HTTP status (e.g. 502 from the gateway)."""

    def __init__(self, status: int, text: str):
        self.status = status
        super().__init__(f"HTTP {status}", text[:500], code=0)


def _error(name: str, code: int, doc: str) -> type[ByteBridgeError]:
    return type(name, (ByteBridgeError,), {"code": code, "__doc__": doc, "__module__": __name__})


UnknownError = _error("UnknownError", 1, "unknown error")
ParameterInvalid = _error("ParameterInvalid", 2, "Parameter missing or invalid")
JsonParseFailed = _error("JsonParseFailed", 3, "Json parsing failed")
UrlInvalid = _error("UrlInvalid", 4, "Api request url is invalid")
PermissionDenied = _error("PermissionDenied", 5, "Permission error")
UserNotFound = _error("UserNotFound", 6, "API request user does not exist")
ProjectCreateFailed = _error("ProjectCreateFailed", 7, "Project creation failed")
ProjectNotFound = _error("ProjectNotFound", 8, "The project does not exist")
ProjectUpdateFailed = _error("ProjectUpdateFailed", 9, "Project update failed")
ResourceLinkInvalid = _error("ResourceLinkInvalid", 10, "Failed to submit the resource link")
NoResources = _error("NoResources", 11, "The project has not uploaded files")
CardRequired = _error("CardRequired", 12, "Bind a credit card in the dashboard first")
UnderReview = _error("UnderReview", 13, "The project is under review")
AlreadyRunning = _error("AlreadyRunning", 14, "The project is already in progress")
AlreadyCompleted = _error("AlreadyCompleted", 15, "The project has been completed")
UnsettledCredit = _error("UnsettledCredit", 16, "There is unsettled credit in this account")
SettlementInProgress = _error("SettlementInProgress", 17, "There is credit under settlement")
CheckingStatus = _error("CheckingStatus", 18, "Checking for the project status")
StartFailed = _error("StartFailed", 19, "The project failed to start")
ProjectPaused = _error("ProjectPaused", 20, "The project has been paused")
PauseFailed = _error("PauseFailed", 21, "Project pause failed")
DeleteNotAllowed = _error("DeleteNotAllowed", 22, "The project can not be deleted now")
DeleteFailed = _error("DeleteFailed", 23, "Failed to delete in the current state of the project")
ResourceInvalid = _error("ResourceInvalid", 24, "Invalid resource information")
UploadNotAllowed = _error("UploadNotAllowed", 25, "The project status does not allow uploads")
QueryFailed = _error("QueryFailed", 26, "Project information query failed")
SignatureInvalid = _error("SignatureInvalid", 27, "api key signature verification failed")
ModifyAfterOpen = _error("ModifyAfterOpen", 28, "Projects opened for delivery review cannot be modified")

BY_CODE: dict[int, type[ByteBridgeError]] = {
    cls.code: cls
    for cls in (
        UnknownError, ParameterInvalid, JsonParseFailed, UrlInvalid, PermissionDenied, UserNotFound,
        ProjectCreateFailed, ProjectNotFound, ProjectUpdateFailed, ResourceLinkInvalid, NoResources, CardRequired,
        UnderReview, AlreadyRunning, AlreadyCompleted, UnsettledCredit, SettlementInProgress, CheckingStatus,
        StartFailed, ProjectPaused, PauseFailed, DeleteNotAllowed, DeleteFailed, ResourceInvalid, UploadNotAllowed,
        QueryFailed, SignatureInvalid, ModifyAfterOpen,
    )
}  # fmt: skip


def from_envelope(envelope: dict) -> ByteBridgeError:
    code = int(envelope.get("code", 1))
    cls = BY_CODE.get(code, ByteBridgeError)
    return cls(str(envelope.get("errorMsg", "")), envelope.get("detail"), code=code)
