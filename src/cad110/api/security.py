"""Security headers on every response: a strict Content-Security-Policy on HTML, framing,
sniffing, referrer and caching rules everywhere, and no server banner.

The console runs no inline script and no inline style, so the policy allows only files served
by the application itself: text that slipped past escaping still cannot run as script.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cad110.settings import Settings

# Paths whose answers may be kept by browsers: the vendored and console assets, no personal data.
CACHEABLE_PREFIX = "/static/"

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def tile_source(tile_url: str) -> str | None:
    """The CSP source that lets a centre's own tile server load its images, or None when the
    tiles come from the application itself (or there are none).

    Leaflet's subdomain placeholder ("https://{s}.tiles.local/…") becomes a host wildcard,
    which CSP accepts only as the leftmost label; anything else falls back to the scheme.
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = _PLACEHOLDER.sub("*", parts.netloc)
    if "*" in host and not re.fullmatch(r"\*\.[A-Za-z0-9.-]+(:\d+)?", host):
        return f"{parts.scheme}:"
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.\[\]:-]+", host):
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str = "") -> str:
    """The policy of every HTML page: scripts, styles, fonts and requests from this origin only;
    images also from data:/blob: URLs and the centre's tile server; no plugins, no <base>, no
    framing, forms post only here."""
    images = ["'self'", "data:", "blob:"]
    tiles = tile_source(tile_url)
    if tiles is not None:
        images.append(tiles)
    directives = [
        ("default-src", "'self'"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("img-src", " ".join(images)),
        ("connect-src", "'self'"),
        ("font-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
    ]
    return "; ".join(f"{name} {value}" for name, value in directives)


# The unit view sends the phone's position; nothing may use the camera or the microphone.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=()"


def common_headers() -> dict[str, str]:
    """The headers every response carries, whatever its type."""
    return {
        "X-Content-Type-Options": "nosniff",
        # Same-origin pages still get the full Referer: the language switch goes back by it.
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
    }


class SecurityHeaders:
    """ASGI middleware adding the headers to each response as it starts (streams included)."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.csp = csp
        self.common = list(common_headers().items())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(CACHEABLE_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.common:
                    headers[name] = value
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = self.csp
                # Pages and API answers carry personal data: no copy on disk or in a proxy,
                # unless a route chose its own caching on purpose.
                if not cacheable and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secure_cookie(request: Request) -> bool:
    """Whether a cookie set in answer to `request` is marked Secure: always when the centre says
    so (`secure_cookies`), and whenever the request came over HTTPS (uvicorn takes the scheme
    from X-Forwarded-Proto when the proxy's address is in `forwarded_allow_ips`)."""
    settings: Settings = request.app.state.runtime.settings
    return settings.secure_cookies or request.url.scheme == "https"
