"""Open problems by town, and the points for the map of them.

With GOVHUB_MAP_TILE_URL (天地图 or the government's own XYZ tiles, ``{z}/{x}/{y}``) the page
draws the points on a Leaflet map (Leaflet is served from the project's own static files, no
CDN); without it, or without JavaScript, the page is the list by town.
"""

from __future__ import annotations

import math
from collections import defaultdict

from govhub.letters.models import OPEN_STATUSES, OTHER_SERVICE, Letter

# Anonymous readers get a letter's point snapped to the centre of a 0.01° grid cell: about
# 1.1 km north–south and 0.9 km east–west at the county's latitude (~37°N) — enough to see the
# village or quarter, not the house of the person who wrote.
GRID_DEGREES = 0.01


def coarse_point(lat: float | None, lng: float | None) -> tuple[float | None, float | None]:
    """The centre of the grid cell a point lies in (None stays None)."""
    if lat is None or lng is None:
        return None, None

    def snap(v: float) -> float:
        # round first: 34.51 / 0.01 is 3450.9999… in binary floating point
        return round((math.floor(round(v / GRID_DEGREES, 6)) + 0.5) * GRID_DEGREES, 3)

    return snap(lat), snap(lng)


def _category(letter: Letter) -> str:
    return letter.category.name if letter.category_id else OTHER_SERVICE[1]


def _town_name(letter: Letter) -> str:
    """The town a letter's place is in (a village's letters count for its town)."""
    if letter.town is None:
        return "未注明乡镇"
    town = letter.town
    if town.level == "village":
        parent = town.get_parent()
        return parent.name if parent is not None else town.name
    return town.name


def open_by_town() -> list[dict]:
    rows = defaultdict(list)
    qs = (
        Letter.objects.filter(status__in=OPEN_STATUSES)
        .select_related("town", "category")
        .order_by("-received_at")
    )
    for letter in qs[:5000]:
        rows[_town_name(letter)].append(letter)
    out = []
    for town, letters in sorted(rows.items(), key=lambda kv: -len(kv[1])):
        kinds = defaultdict(int)
        for letter in letters:
            kinds[_category(letter)] += 1
        out.append(
            {
                "town": town,
                "count": len(letters),
                "categories": sorted(kinds.items(), key=lambda kv: -kv[1]),
            }
        )
    return out


def open_points(limit: int = 500) -> list[dict]:
    """The open letters that carry a place, as map points: category, town and status only —
    never the writer's words or name; the point on the public grid (``coarse_point``)."""
    qs = (
        Letter.objects.filter(status__in=OPEN_STATUSES, latitude__isnull=False)
        .select_related("town", "category")
        .order_by("-received_at")[:limit]
    )
    out = []
    for letter in qs:
        lat, lng = coarse_point(letter.latitude, letter.longitude)
        out.append(
            {
                "lat": lat,
                "lng": lng,
                "category": _category(letter),
                "town": _town_name(letter),
                "status": letter.get_status_display(),
            }
        )
    return out
