"""Open problems by town, and a static map for them.

With GOVHUB_MAP_TILE_URL (天地图 or the government's own XYZ tiles, ``{z}/{x}/{y}``) the map is
composed on the server from tiles and positioned markers — no JavaScript library to build or
serve; without it, the page is a list by town.
"""

from __future__ import annotations

import math
from collections import defaultdict

from govhub.letters.models import OPEN_STATUSES, Letter


def open_by_town() -> list[dict]:
    rows = defaultdict(list)
    qs = (
        Letter.objects.filter(status__in=OPEN_STATUSES)
        .select_related("town", "category")
        .order_by("-received_at")
    )
    for letter in qs[:5000]:
        rows[letter.town.name if letter.town else "未注明乡镇"].append(letter)
    out = []
    for town, letters in sorted(rows.items(), key=lambda kv: -len(kv[1])):
        kinds = defaultdict(int)
        for letter in letters:
            kinds[letter.category.name if letter.category else "其他"] += 1
        out.append(
            {
                "town": town,
                "count": len(letters),
                "categories": sorted(kinds.items(), key=lambda kv: -kv[1]),
            }
        )
    return out


def _tile_xy(lat: float, lon: float, z: int) -> tuple[float, float]:
    n = 2**z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def static_map(tile_url: str, size: int = 3) -> dict | None:
    """Tiles (size × size) around the open letters with a place, and the markers' pixel
    positions on that mosaic."""
    points = list(
        Letter.objects.filter(status__in=OPEN_STATUSES, latitude__isnull=False).values_list(
            "pk", "latitude", "longitude", "category__name"
        )[:500]
    )
    if not points:
        return {"tiles": [], "markers": [], "size": 0}
    lat = sum(p[1] for p in points) / len(points)
    lon = sum(p[2] for p in points) / len(points)
    span = max(max(abs(p[1] - lat) for p in points), max(abs(p[2] - lon) for p in points), 0.01)
    z = max(3, min(16, int(math.log2(360 / (span * 2 * 1.2))) + 0))
    cx, cy = _tile_xy(lat, lon, z)
    x0, y0 = int(cx) - size // 2, int(cy) - size // 2
    tiles = [
        {
            "url": tile_url.replace("{z}", str(z))
            .replace("{x}", str(x0 + i))
            .replace("{y}", str(y0 + j)),
            "left": i * 256,
            "top": j * 256,
        }
        for j in range(size)
        for i in range(size)
    ]
    markers = []
    for pk, la, lo, category in points:
        x, y = _tile_xy(la, lo, z)
        px, py = (x - x0) * 256, (y - y0) * 256
        if 0 <= px < size * 256 and 0 <= py < size * 256:
            markers.append(
                {"id": pk, "left": round(px), "top": round(py), "label": category or "群众反映问题"}
            )
    return {"tiles": tiles, "markers": markers, "size": size * 256, "zoom": z}
