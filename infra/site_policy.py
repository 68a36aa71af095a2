"""What the browser apps may load, one definition for CloudFront (frontend construct) and the local gateway: the
Content-Security-Policy and the cache rules of the built files (Vite hashes everything under /assets/)."""

from collections.abc import Iterable

IMMUTABLE = "public, max-age=31536000, immutable"  # hashed file names change with their content
REVALIDATE = "no-cache"  # index.html and other unhashed files: always asked again, so a deploy is seen at once
STRIPE_JS = "https://js.stripe.com"  # Stripe Elements: its script and its card frames


def cache_control(path: str) -> str:
    return IMMUTABLE if path.startswith("/assets/") else REVALIDATE


def content_security_policy(*, data_origins: Iterable[str] = (), stripe_origins: Iterable[str] = (STRIPE_JS,)) -> str:
    """The API is same-origin; data (uploads, previews, downloads) comes from the data bucket's presigned links;
    Stripe's script and frames from Stripe. Nothing inline but styles (React sets style attributes)."""
    data = " ".join(data_origins)
    stripe = " ".join(stripe_origins)
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' {stripe}",
        "style-src": "'self' 'unsafe-inline'",
        # clients' data may sit on any https host (submitResource links): shown, never run
        "img-src": f"'self' data: blob: https: {data}",
        "media-src": f"'self' blob: https: {data}",
        "connect-src": f"'self' {data} {stripe}",
        "frame-src": stripe,
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {' '.join(value.split())}" for name, value in directives.items())
