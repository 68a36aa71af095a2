"""Data-in calls of the signed client API: web upload straight to the data bucket (createUpload, completeUpload)
and bucket imports (importS3, importGCS, retrieveImport, listImports). docs/data-in.md."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.logic import imports, uploads
from bytebridge.models.data_in_api import (
    CompleteUploadRequest,
    CompleteUploadResponse,
    CreateUploadRequest,
    CreateUploadResponse,
    ImportGCSRequest,
    ImportResponse,
    ImportS3Request,
    ListImportsRequest,
    ListImportsResponse,
    RetrieveImportRequest,
)
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects/createUpload", CreateUploadResponse, "Upload links for up to 100 files")
def create_upload(request: CreateUploadRequest) -> CreateUploadResponse:
    account = signed_account(router)
    data = uploads.create_upload(account, request.params)
    return CreateUploadResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/completeUpload", CompleteUploadResponse, "Uploaded files become items")
def complete_upload(request: CompleteUploadRequest) -> CompleteUploadResponse:
    account = signed_account(router)
    data = uploads.complete_upload(account, request.params)
    return CompleteUploadResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/importS3", ImportResponse, "Import the objects of an S3 bucket")
def import_s3(request: ImportS3Request) -> ImportResponse:
    account = signed_account(router)
    data = imports.import_s3(account, request.params)
    return ImportResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/importGCS", ImportResponse, "Import the objects of a GCS bucket")
def import_gcs(request: ImportGCSRequest) -> ImportResponse:
    account = signed_account(router)
    data = imports.import_gcs(account, request.params)
    return ImportResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/retrieveImport", ImportResponse, "A bucket import's status and counts")
def retrieve_import(request: RetrieveImportRequest) -> ImportResponse:
    account = signed_account(router)
    data = imports.retrieve_import(account, request.params.project_id, request.params.import_id)
    return ImportResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/listImports", ListImportsResponse, "A project's bucket imports")
def list_imports(request: ListImportsRequest) -> ListImportsResponse:
    account = signed_account(router)
    data = imports.list_imports(account, request.params.project_id)
    return ListImportsResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
