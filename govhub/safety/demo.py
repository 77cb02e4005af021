"""Demo content of content safety: the county's own leaders and a few local dictionary entries
(the base edition with the national leaders ships with the package)."""

from __future__ import annotations

import contextlib

from govhub.core.errors import FieldErrors
from govhub.safety import actions
from govhub.safety.models import LeaderEntry, Term

LEADERS = [
    ("周建华", "县委书记", "county", "2023-06-18", "示范县委组织部任职通知（演示）"),
    ("陈立新", "县长", "county", "2023-07-02", "示范县人大常委会任免决定（演示）"),
    ("王海峰", "县长", "county", "2019-05-10", "示范县人大常委会任免决定（演示）"),
    ("孙丽萍", "常务副县长", "county", "2024-01-12", "示范县人大常委会任免决定（演示）"),
]
TERMS = [
    {
        "kind": "forbidden",
        "term": "最高级",
        "severity": "blocking",
        "note": "广告法禁用的绝对化用语",
        "source": "《中华人民共和国广告法》第九条",
    },
    {
        "kind": "outdated",
        "term": "县农业局",
        "correction": "县农业农村局",
        "since": "2019-03-01",
        "source": "示范县机构改革方案（演示）",
    },
    {
        "kind": "public_number",
        "term": "0000-12345",
        "note": "县政务服务热线（公开号码）",
        "source": "县政府办公室（演示）",
    },
]


def build(county) -> None:
    admin = county.user("admin")
    for name, title, level, start, source in LEADERS:
        if LeaderEntry.objects.filter(name=name, title=title).exists():
            continue
        end = "2023-07-02" if name == "王海峰" else ""
        with contextlib.suppress(FieldErrors):  # already there from an earlier run
            actions.save_leader(
                admin,
                {
                    "name": name,
                    "title": title,
                    "level": level,
                    "start": start,
                    "end": end,
                    "source": source,
                },
            )
    for data in TERMS:
        if not Term.objects.filter(kind=data["kind"], term=data["term"]).exists():
            actions.save_term(admin, data)
