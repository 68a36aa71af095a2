"""The built dashboard served by the local gateway as CloudFront serves it: files as they are with the deployed
cache rules and CSP, client-side routes as index.html, nothing outside the build directory."""

from pathlib import Path

import pytest

from infra.site_policy import IMMUTABLE, REVALIDATE
from local.gateway import dispatch
from local.static_site import site_reply


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><div id=root></div>")
    (root / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside")
    return root


def test_a_client_side_route_gets_index_html_never_cached(site: Path) -> None:
    status, headers, body = site_reply("/projects/p1/flow", site)
    assert status == 200 and b"id=root" in body
    assert headers["Cache-Control"] == REVALIDATE
    assert headers["Content-Type"].startswith("text/html")


def test_hashed_assets_are_immutable_and_typed(site: Path) -> None:
    status, headers, body = site_reply("/assets/index-abc123.js", site)
    assert (status, body) == (200, b"console.log(1)")
    assert headers["Cache-Control"] == IMMUTABLE
    assert "javascript" in headers["Content-Type"]


def test_a_missing_file_is_404_not_the_app_and_nothing_outside_the_build_is_served(site: Path) -> None:
    assert site_reply("/assets/gone.js", site)[0] == 404
    assert site_reply("/../secret.txt", site)[0] == 404
    assert site_reply("/assets/../../secret.txt", site)[0] == 404


def test_the_csp_allows_scripts_from_self_and_stripe_only(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALSTRIPE_PORT", "20002")
    monkeypatch.setenv("S3_PUBLIC_ENDPOINT", "http://127.0.0.1:20001")
    policy = dict(part.strip().split(" ", 1) for part in site_reply("/", site)[1]["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self' http://127.0.0.1:20002"
    assert "http://127.0.0.1:20001" in policy["img-src"] and "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"


def test_the_gateway_answers_api_paths_from_functions_and_other_gets_from_the_site() -> None:
    status, _, body = dispatch("GET", "/local/nothing", {}, b"")
    assert status == 404 and b"Not Found" in body
    status, headers, _ = dispatch("GET", "/projects", {}, b"")
    assert "Content-Security-Policy" in headers and status in (200, 503)  # 503 names the build step when unbuilt
