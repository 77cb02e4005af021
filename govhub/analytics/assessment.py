"""Department assessment (部门绩效考核): the supervisor sets indicators and weights; every
department directly under the region gets a score per indicator (0–1), a weighted total (0–100)
and a rank. An indicator without data for a department is left out and the remaining weights
re-normalised, so a bureau with no letters is not punished for it.

Indicators: on-time reply rate (letters answered by their reply deadline, else account messages
answered within 3 days), satisfaction (letters' satisfaction), update frequency (posts per open
account per week, 5 or more = full), influence (mean index of its accounts against the best
department), inspection faults (1 − (2·vetoes + faults)/10, floored at 0)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from govhub.analytics.models import DEFAULT_WEIGHTS, INDICATORS, AssessmentScheme
from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.models import Department
from govhub.core.permissions import require


class AssessmentError(DomainError):
    pass


def save_scheme(
    user, region: Department, name: str, weights: dict, scheme: AssessmentScheme | None = None
) -> AssessmentScheme:
    """Create or change an assessment scheme (indicators and weights)."""
    require(user, "view_supervision", region)
    clean = {}
    for k, v in (weights or {}).items():
        if k not in INDICATORS:
            raise AssessmentError("indicator", f"未知指标：{k}")
        try:
            w = float(v)
        except (TypeError, ValueError):
            raise AssessmentError("weight", f"“{INDICATORS[k]}”的权重应为数字")
        if w < 0:
            raise AssessmentError("weight", "权重不能为负数")
        if w:
            clean[k] = w
    if not clean:
        raise AssessmentError("weight", "至少为一个指标设置大于 0 的权重")
    if not (name or "").strip():
        raise AssessmentError("name", "请填写方案名称")
    with transaction.atomic():
        if scheme is None:
            scheme = AssessmentScheme(created_by=user)
        scheme.name, scheme.region, scheme.weights = name.strip()[:100], region, clean
        scheme.save()
        audit.record(
            actor=user, action="analytics_scheme_saved", obj=scheme, summary={"weights": clean}
        )
    return scheme


def default_scheme(region: Department) -> AssessmentScheme:
    return AssessmentScheme.objects.filter(region=region).order_by(
        "id"
    ).first() or AssessmentScheme(name="默认考核方案", region=region, weights=dict(DEFAULT_WEIGHTS))


@dataclass
class DeptScore:
    department: Department
    values: dict[str, float | None] = field(default_factory=dict)
    total: float = 0.0
    rank: int = 0


def _window(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tz), dt.datetime.combine(
        end + dt.timedelta(days=1), dt.time(), tz
    )


def indicator_values(
    region: Department, start: dt.date, end: dt.date
) -> dict[int, dict[str, float | None]]:
    """Raw indicator values (0–1 or None) per department directly under ``region``."""
    from govhub.matrix.models import Account, Finding, InfluenceScore, Message, Post, Severity

    s, e = _window(start, end)
    depts = list(region.get_children())
    out: dict[int, dict[str, float | None]] = {d.pk: dict.fromkeys(INDICATORS) for d in depts}
    letters = _letter_stats(depts, s, e)
    weeks = max(1.0, (end - start).days / 7)
    infl: dict[int, float] = {}
    for d in depts:
        sub = Q(department__path__startswith=d.path)
        v = out[d.pk]
        lt = letters.get(d.pk)
        accounts = Account.objects.filter(sub, closed_on__isnull=True)
        if lt and lt["n"]:
            v["on_time_reply_rate"] = lt["on_time"] / lt["n"]
            if lt["rated"]:
                v["satisfaction"] = lt["satisfied"] / lt["rated"]
        else:
            m = Message.objects.filter(
                account__in=accounts, received_at__gte=s, received_at__lt=e
            ).aggregate(
                n=Count("id"),
                ok=Count(
                    "id",
                    filter=Q(
                        answered_at__isnull=False,
                        answered_at__lte=F("received_at") + dt.timedelta(days=3),
                    ),
                ),
            )
            if m["n"]:
                v["on_time_reply_rate"] = m["ok"] / m["n"]
        n_acc = accounts.exclude(platform="portal").count()
        if n_acc:
            posts = Post.objects.filter(
                account__in=accounts, published_at__gte=s, published_at__lt=e
            ).count()
            v["update_frequency"] = min(1.0, posts / n_acc / weeks / 5)
            f = Finding.objects.filter(account__in=accounts, run_date__gte=start, run_date__lte=end)
            latest = f.order_by("-run_date").values_list("run_date", flat=True).first()
            if latest:
                f = f.filter(run_date=latest)
                vetoes = f.filter(severity=Severity.VETO).count()
                faults = f.filter(severity=Severity.FAULT).count()
            else:
                vetoes = faults = 0
            v["inspection_faults"] = max(0.0, 1 - (2 * vetoes + faults) / 10)
            avg = InfluenceScore.objects.filter(
                account__in=accounts, month__gte=start.replace(day=1), month__lte=end
            ).aggregate(a=Avg("index"))["a"]
            if avg is not None:
                infl[d.pk] = avg
    best = max(infl.values(), default=0)
    for pk, a in infl.items():
        out[pk]["influence"] = a / best if best else 0.0
    return out


def _letter_stats(depts, s, e) -> dict[int, dict]:
    try:
        from govhub.letters.models import ANSWERED_STATUSES, Letter
        from govhub.ratings.figures import latest_level
    except ImportError:
        return {}
    out = {}
    for d in depts:
        qs = Letter.objects.filter(
            department__path__startswith=d.path,
            received_at__gte=s,
            received_at__lt=e,
            merged_into__isnull=True,
        )
        agg = qs.annotate(rating_level=latest_level("letter")).aggregate(
            n=Count(
                "id", filter=Q(status__in=ANSWERED_STATUSES) | Q(reply_due__lt=timezone.localdate())
            ),
            on_time=Count(
                "id", filter=Q(replied_at__isnull=False, replied_at__date__lte=F("reply_due"))
            ),
            rated=Count("id", filter=Q(rating_level__isnull=False)),
            satisfied=Count("id", filter=Q(rating_level__gte=3)),  # 基本满意 or better
        )
        out[d.pk] = agg
    return out


def assess(scheme: AssessmentScheme, start: dt.date, end: dt.date) -> list[DeptScore]:
    """Scores and ranking of the departments under the scheme's region."""
    raw = indicator_values(scheme.region, start, end)
    depts = {d.pk: d for d in scheme.region.get_children()}
    scores = []
    for pk, values in raw.items():
        used = {k: w for k, w in scheme.weights.items() if values.get(k) is not None}
        if not used:
            continue
        total = 100 * sum(values[k] * w for k, w in used.items()) / sum(used.values())
        scores.append(DeptScore(depts[pk], values, round(total, 1)))
    scores.sort(key=lambda s: (-s.total, s.department.name))
    for i, s in enumerate(scores, 1):
        s.rank = i
    return scores


def export_xlsx(
    scheme: AssessmentScheme, scores: list[DeptScore], start: dt.date, end: dt.date
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "考核结果"
    ws.append([f"{scheme.name}（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"])
    ws["A1"].font = Font(bold=True, size=13)
    keys = [k for k in INDICATORS if k in scheme.weights]
    ws.append(
        ["排名", "部门", *[f"{INDICATORS[k]}（权重 {scheme.weights[k]:g}）" for k in keys], "总分"]
    )
    for s in scores:
        ws.append(
            [
                s.rank,
                s.department.name,
                *[None if s.values.get(k) is None else round(100 * s.values[k], 1) for k in keys],
                s.total,
            ]
        )
    ws.column_dimensions["B"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
