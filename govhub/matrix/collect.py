"""Posts, daily figures and citizens' messages of the accounts: imported from CSV/JSON exports
idempotently (natural keys + upsert: re-importing the same file changes nothing), and read from
the publishing engineer's delivery statistics for the government's own accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from govhub.core import audit
from govhub.core.models import Department
from govhub.core.permissions import require
from govhub.matrix.actions import parse_date
from govhub.matrix.models import Account, DailyFigure, Message, Platform, Post
from govhub.matrix.tabular import TableError, read_table

NUMERIC = ["reads", "likes", "looks", "shares", "comments"]

# column → (field, kind); English keys (exports of platforms) and Chinese headers both work
SPECS: dict[str, dict[str, tuple[str, str]]] = {
    "posts": {
        "account_id": ("account", "account"),
        "账号ID": ("account", "account"),
        "platform": ("platform", "platform"),
        "平台": ("platform", "platform"),
        "post_id": ("remote_id", "str"),
        "文章ID": ("remote_id", "str"),
        "published_at": ("published_at", "datetime"),
        "发布时间": ("published_at", "datetime"),
        "title": ("title", "str"),
        "标题": ("title", "str"),
        "text": ("text", "str"),
        "正文": ("text", "str"),
        "url": ("url", "str"),
        "headline": ("is_headline", "bool"),
        "头条": ("is_headline", "bool"),
        **{k: (k, "int") for k in NUMERIC},
        "阅读": ("reads", "int"),
        "点赞": ("likes", "int"),
        "在看": ("looks", "int"),
        "转发": ("shares", "int"),
        "评论": ("comments", "int"),
    },
    "figures": {
        "account_id": ("account", "account"),
        "账号ID": ("account", "account"),
        "platform": ("platform", "platform"),
        "平台": ("platform", "platform"),
        "date": ("date", "date"),
        "日期": ("date", "date"),
        "posts": ("posts", "int"),
        "发文数": ("posts", "int"),
        "followers": ("followers", "int"),
        "粉丝": ("followers", "int"),
        **{k: (k, "int") for k in NUMERIC},
        "阅读": ("reads", "int"),
        "点赞": ("likes", "int"),
        "在看": ("looks", "int"),
        "转发": ("shares", "int"),
        "评论": ("comments", "int"),
    },
    "messages": {
        "account_id": ("account", "account"),
        "账号ID": ("account", "account"),
        "platform": ("platform", "platform"),
        "平台": ("platform", "platform"),
        "message_id": ("remote_id", "str"),
        "留言ID": ("remote_id", "str"),
        "received_at": ("received_at", "datetime"),
        "留言时间": ("received_at", "datetime"),
        "text": ("text", "str"),
        "内容": ("text", "str"),
        "town": ("town", "town"),
        "乡镇": ("town", "town"),
        "likes": ("likes", "int"),
        "点赞": ("likes", "int"),
        "answered_at": ("answered_at", "datetime"),
        "答复时间": ("answered_at", "datetime"),
    },
}
MODELS = {"posts": Post, "figures": DailyFigure, "messages": Message}
KEYS = {"posts": "remote_id", "figures": "date", "messages": "remote_id"}
REQUIRED = {
    "posts": {"account", "remote_id", "published_at"},
    "figures": {"account", "date"},
    "messages": {"account", "remote_id", "received_at", "text"},
}
LABELS = {"posts": "发布内容", "figures": "日数据", "messages": "留言评论"}


def parse_datetime(value: str, what: str) -> dt.datetime | None:
    v = value.strip().replace("/", "-").replace("T", " ")
    if not v:
        return None
    try:
        parsed = dt.datetime.fromisoformat(v)
    except ValueError:
        d = parse_date(v, what)
        parsed = dt.datetime(d.year, d.month, d.day)  # noqa: DTZ001 - made aware below
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@dataclass
class CollectReport:
    kind: str
    encoding: str = ""
    file_errors: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "file_errors": self.file_errors,
            "errors": [{"line": ln, "message": m} for ln, m in self.errors],
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _convert(kind: str, raw: str, what: str, accounts, towns):
    if kind == "str":
        return raw
    if kind == "int":
        if not raw:
            return 0
        try:
            n = int(float(raw.replace(",", "")))
        except ValueError:
            raise ValueError(f"“{what}”应为数字：{raw}")
        if n < 0:
            raise ValueError(f"“{what}”不能为负数")
        return n
    if kind == "bool":
        return raw.lower() in {"1", "true", "是", "yes", "y"}
    if kind == "date":
        return parse_date(raw, what)
    if kind == "datetime":
        return parse_datetime(raw, what)
    if kind == "town":
        if not raw:
            return None
        town = towns.get(raw)
        if town is None:
            raise ValueError(f"乡镇“{raw}”不存在")
        return town
    return raw


def import_records(
    user, kind: str, data: bytes, filename: str, *, import_valid_rows: bool = False
) -> CollectReport:
    """Import posts, daily figures or messages. Rows are matched on their natural key (account
    + post/message id, or account + date) and only changed fields are written."""
    require(user, "manage_registry")
    spec = SPECS[kind]
    report = CollectReport(kind)
    try:
        table = read_table(data, filename)
    except TableError as exc:
        report.file_errors.append(str(exc))
        return report
    report.encoding = table.encoding
    present = {spec[h][0] for h in table.header if h in spec}
    unknown = [h for h in table.header if h and h not in spec]
    missing = REQUIRED[kind] - present
    if missing or unknown:
        names = {v[0]: k for k, v in spec.items() if not k.isascii()}
        if missing:
            report.file_errors.append(
                "缺少必需的列：" + "、".join(sorted(names.get(m, m) for m in missing))
            )
        if unknown:
            report.file_errors.append("无法识别的列：" + "、".join(unknown))
        return report
    accounts = {(a.platform, a.remote_id): a for a in Account.objects.all()}
    by_remote: dict[str, list[Account]] = {}
    for a in accounts.values():
        by_remote.setdefault(a.remote_id, []).append(a)
    towns = {d.name: d for d in Department.objects.filter(level="town")}
    towns.update({d.code: d for d in towns.values()})
    parsed: list[tuple[int, dict]] = []
    seen: set = set()
    for row in table.rows:
        line, values, errs = row["__line__"], {}, []
        for col, raw in row.items():
            if col not in spec:
                continue
            fld, typ = spec[col]
            if typ in ("account", "platform"):
                values[fld] = raw
                continue
            try:
                values[fld] = _convert(typ, raw, col, accounts, towns)
            except ValueError as exc:
                errs.append(str(exc))
        acc_id = values.pop("account", "")
        platform = values.pop("platform", "")
        cands = by_remote.get(acc_id, [])
        if platform:
            cands = [a for a in cands if platform in (a.platform, Platform(a.platform).label)]
        if not acc_id:
            errs.append("账号ID不能为空")
        elif not cands:
            errs.append(f"账号ID“{acc_id}”不在台账中")
        elif len(cands) > 1:
            errs.append(f"账号ID“{acc_id}”在多个平台存在，请填写平台")
        else:
            values["account"] = cands[0]
        for fld in REQUIRED[kind] - {"account"}:
            if not values.get(fld):
                errs.append(f"缺少{fld}")
        if not errs:
            nk = (values["account"].pk, values[KEYS[kind]])
            if nk in seen:
                errs.append("与前面的行重复")
            seen.add(nk)
        if errs:
            report.errors.append((line, "；".join(errs)))
        else:
            parsed.append((line, values))
    if report.errors and not import_valid_rows:
        return report
    _upsert(kind, parsed, report)
    if report.created or report.updated:
        audit.record(
            actor=user,
            action=f"matrix_{kind}_imported",
            obj=("matrix." + kind, "import"),
            summary={"file": filename[:100], "created": report.created, "updated": report.updated},
        )
    return report


def _upsert(kind: str, parsed: list[tuple[int, dict]], report: CollectReport) -> None:
    model, key = MODELS[kind], KEYS[kind]
    with transaction.atomic():
        by_account: dict[int, list[dict]] = {}
        for _line, v in parsed:
            by_account.setdefault(v["account"].pk, []).append(v)
        for acc_pk, rows in by_account.items():
            existing = {
                getattr(o, key): o
                for o in model.objects.filter(
                    account_id=acc_pk, **{f"{key}__in": [r[key] for r in rows]}
                )
            }
            new, changed_objs, changed_fields = [], [], set()
            for v in rows:
                obj = existing.get(v[key])
                if obj is None:
                    new.append(model(**v))
                    continue
                diff = [f for f, val in v.items() if f != "account" and getattr(obj, f) != val]
                if diff:
                    for f in diff:
                        setattr(obj, f, v[f])
                    changed_objs.append(obj)
                    changed_fields.update(diff)
                else:
                    report.unchanged += 1
            model.objects.bulk_create(new, batch_size=1000)
            if changed_objs:
                model.objects.bulk_update(changed_objs, sorted(changed_fields), batch_size=1000)
            report.created += len(new)
            report.updated += len(changed_objs)


def collect_delivery_statistics() -> int:
    """Copy the outbox's published messages and their statistics (govhub.channels
    OutboundMessage of kind "publication" / OutboundStat) into posts of the registered accounts
    they went out on: the channel account is matched to the registry by platform and remote id
    (or AppID, or name). Daily rows are summed; for platforms that only give running totals
    (``is_total``) the latest total is taken. Idempotent: posts are keyed by the remote id."""
    from govhub.channels.models import MessageKind, OutboundMessage, OutboundStat

    accounts: dict[tuple[str, str], Account] = {}
    linked: dict[int, Account] = {}
    for a in Account.objects.all():
        if a.channel_id:
            linked[a.channel_id] = a
        accounts[(a.platform, a.remote_id)] = a
        accounts.setdefault((a.platform, "name:" + a.name), a)
    qs = OutboundMessage.objects.filter(kind=MessageKind.PUBLICATION, sent_at__isnull=False)
    qs = qs.exclude(remote_id="").select_related("account").prefetch_related("source")
    written = 0
    with transaction.atomic():
        for d in qs.iterator(chunk_size=500):
            ch = d.account
            acc = (
                linked.get(ch.pk)
                or accounts.get((ch.platform, getattr(ch, "remote_id", "") or ""))
                or accounts.get((ch.platform, ch.app_id or ""))
                or accounts.get((ch.platform, "name:" + ch.name))
            )
            if acc is None:
                continue
            totals = dict.fromkeys(NUMERIC, 0)
            stats = list(OutboundStat.objects.filter(outbound=d).order_by("date"))
            running = [st for st in stats if st.is_total]
            for st in [running[-1]] if running else stats:
                for k in ("reads", "likes", "shares", "comments"):
                    totals[k] += getattr(st, k)
            pub = d.source
            values = {
                "published_at": d.sent_at,
                "title": pub.title[:300],
                "text": getattr(pub, "short_text", "") or getattr(pub, "digest", "") or pub.title,
                "url": d.remote_url[:500],
                **totals,
            }
            post = Post.objects.filter(account=acc, remote_id=d.remote_id[:100]).first()
            if post is None:
                Post.objects.create(account=acc, remote_id=d.remote_id[:100], **values)
                written += 1
            elif any(getattr(post, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(post, k, v)
                post.save()
                written += 1
    return written
