"""Small factories for letter tests (no shared mutable fixtures)."""

from __future__ import annotations

from govhub.letters.intake import submit_letter
from govhub.letters.models import Category, CategoryRoute


def make_categories(county) -> dict[str, Category]:
    cats = {}
    for code, name, dept in [
        ("labour", "劳动和社会保障", "rsj"),
        ("education", "教育文体", "jyj"),
        ("construction", "城乡建设", "zjj"),
        ("site_error", "网站找错", "rmt"),
    ]:
        cat, _ = Category.objects.get_or_create(code=code, defaults={"name": name})
        CategoryRoute.objects.get_or_create(
            category=cat, town=None, defaults={"department": county.dept(dept)}
        )
        cats[code] = cat
    return cats


def routed(letter):
    """What the worker does right after the intake commits (letters.jobs.route_letter): the
    router's suggestion, duplicates, automatic dispatch. A test's transaction never commits,
    so its on-commit job never runs by itself."""
    from govhub.letters.jobs import route_letter

    route_letter.call(letter.pk)
    letter.refresh_from_db()
    return letter


def letter(route: bool = True, **kw):
    """A letter through intake; ``route``: and routed, as the worker would right after."""
    data = dict(
        channel="portal",
        subject="工资被拖欠",
        content="我在工地干了三个月，老板一直拖欠工资不发。",
        name="张三",
        phone="13800138000",
    )
    data.update(kw)
    out = submit_letter(**data)
    return routed(out) if route else out
