"""The OpenAPI document: served at GET /api/v1/openapi.json and committed as docs/openapi.json."""

import json
from pathlib import Path

from client_api.handler import OPENAPI_PATH, lambda_handler, openapi_document

from local.emulator import LocalContext
from local.gateway import proxy_event

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
DOCUMENTED_CALLS = [
    "/api/v1/projects",
    "/api/v1/projects/setProject",
    "/api/v1/projects/retrieveProject",
    "/api/v1/projects/submitResource",
    "/api/v1/projects/alterState",
]


def test_the_committed_document_is_the_generated_one():
    # After changing the API: `make openapi`, and commit docs/openapi.json with the change.
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document() + "\n"


def test_the_document_is_served_without_a_signature(aws):
    response = lambda_handler(proxy_event("GET", OPENAPI_PATH, {}, b"", "127.0.0.1"), LocalContext("client-api"))

    assert response["statusCode"] == 200
    document = json.loads(response["body"])
    assert document["openapi"].startswith("3.1")
    assert set(DOCUMENTED_CALLS) <= set(document["paths"])
    assert all(list(document["paths"][path]) == ["post"] for path in DOCUMENTED_CALLS)


def test_the_document_describes_the_documented_fields_and_envelopes():
    document = json.loads(openapi_document())
    schemas = document["components"]["schemas"]

    assert {"qiestion", "question", "extra", "created"} <= set(schemas["ProjectConfigData"]["properties"])
    assert schemas["SetProjectData"]["properties"]["projectStatus"]["type"] == "integer"
    assert {"resourceDta", "resourceData"} <= set(schemas["SubmitResourceData"]["properties"])
    assert set(schemas["ExtraInfo"]["properties"]) == {"downloadableResultNum", "downloadResultURL"}
    assert set(schemas["SubmitResourceParams"]["properties"]) == {"projectId", "resourceType", "resourceURLs"}
    assert set(schemas["ErrorEnvelope"]["properties"]) >= {"code", "errorMsg", "timestamp", "userId"}
    create = document["paths"]["/api/v1/projects"]["post"]
    assert set(create["responses"]) == {"200", "500"}  # invalid bodies answer code 2 in the envelope, not 422
    assert document["security"] == [{"Timestamp": [], "SignType": [], "RequestSign": []}]
