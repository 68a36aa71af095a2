"""The built dashboard (dashboard/dist) served from the API's origin, as CloudFront serves it when deployed: files
as they are, client-side routes (no file extension) as index.html, with the deployed cache rules and CSP."""

import mimetypes
import os
from pathlib import Path

from infra.site_policy import cache_control, content_security_policy

SITE_ROOT = Path(__file__).resolve().parent.parent / "dashboard" / "dist"
MISSING = (
    b"<!doctype html><title>ByteBridge</title><p>The dashboard is not built: run <code>make run</code> (it builds "
    b"dashboard/ on first use) or <code>cd dashboard &amp;&amp; npm run build</code>.</p>"
)


def _policy() -> str:
    # Locally the data links point at the S3 door (S3_PUBLIC_ENDPOINT) and Stripe.js at localstripe.
    data = [os.environ[key] for key in ("S3_PUBLIC_ENDPOINT",) if os.environ.get(key)]
    stripe = [f"http://127.0.0.1:{os.environ['LOCALSTRIPE_PORT']}"] if os.environ.get("LOCALSTRIPE_PORT") else []
    return content_security_policy(data_origins=data, stripe_origins=stripe)


def site_reply(path: str, root: Path = SITE_ROOT) -> tuple[int, dict[str, str], bytes]:
    """The answer to GET `path` from the built app (never a file outside `root`)."""
    relative = path.lstrip("/")
    candidate = (root / relative).resolve() if relative else root / "index.html"
    if not candidate.is_relative_to(root.resolve()):
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    if not candidate.is_file():
        if "." in relative.rsplit("/", 1)[-1]:  # a missing file, not a client-side route
            return 404, {"Content-Type": "text/plain"}, b"Not Found"
        candidate, path = root / "index.html", "/index.html"
    headers = {
        "Content-Security-Policy": _policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if not candidate.is_file():
        return 503, {**headers, "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}, MISSING
    content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
        content_type += "; charset=utf-8"
    headers.update({"Content-Type": content_type, "Cache-Control": cache_control(path)})
    return 200, headers, candidate.read_bytes()
