"""The map tiles' origin: one pure function shared by the settings (the CSP at start) and
``core.csp`` (the CSP as configured now). No Django imports, so settings can load it early."""

from __future__ import annotations

from urllib.parse import urlsplit


def tile_sources(tile_url: str | None) -> list[str]:
    """The origin of the map tiles (a ``{s}`` subdomain placeholder becomes a wildcard); empty
    when the tiles are served by the site itself."""
    if not tile_url:
        return []
    parts = urlsplit(tile_url)
    if not (parts.scheme and parts.netloc):
        return []
    host = parts.netloc
    if "{" in host:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return [f"{parts.scheme}://{host}"]
