"""The registry of government accounts (政务新媒体台账): one function per change, each checks
permission, writes the history row and the audit record in one transaction; and the import of a
whole table with a row-by-row validation report (nothing half-imported)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.models import Department, Level
from govhub.core.permissions import require, scope_queryset
from govhub.matrix.models import Account, AccountChange, AccountKind, Platform, Verification
from govhub.matrix.tabular import TableError, read_table

EDITABLE = [
    "platform",
    "name",
    "remote_id",
    "department",
    "level",
    "kind",
    "verification",
    "filing_number",
    "opened_on",
    "closed_on",
    "has_interaction",
    "operator_name",
    "operator_phone",
]
PERSONAL = {"operator_name", "operator_phone"}


class RegistryError(DomainError):
    pass


def accounts_for(user, action: str = "view_supervision"):
    """The accounts a user may see (their department subtree)."""
    return scope_queryset(user, action, Account.objects.select_related("department"))


def _diff(account: Account, values: dict) -> dict:
    changes = {}
    for key, new in values.items():
        old = getattr(account, key) if key != "department" or account.department_id else None
        if old != new:
            if key in PERSONAL:
                changes[key] = "已修改"
            elif key == "department":
                changes[key] = [str(old) if old else "", str(new)]
            else:
                changes[key] = [
                    old.isoformat() if hasattr(old, "isoformat") else old,
                    new.isoformat() if hasattr(new, "isoformat") else new,
                ]
    return changes


def _check_unique(platform: str, remote_id: str, exclude: int | None = None) -> None:
    qs = Account.objects.filter(platform=platform, remote_id=remote_id)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise RegistryError("duplicate", f"平台账号ID “{remote_id}” 已在台账中")


def create_account(user, **values) -> Account:
    """Add an account to the registry."""
    values = {k: v for k, v in values.items() if k in EDITABLE}
    account = Account(**values)
    require(user, "manage_registry", account)
    _check_unique(account.platform, account.remote_id)
    with transaction.atomic():
        account.save()
        AccountChange.objects.create(
            account=account, actor=_actor(user), action="created", changes=_diff(Account(), values)
        )
        audit.record(
            actor=user,
            action="matrix_account_created",
            obj=account,
            summary={"platform": account.platform, "remote_id": account.remote_id},
        )
    return account


def update_account(user, account: Account, **values) -> Account:
    """Change fields of a registered account; the history keeps what changed."""
    require(user, "manage_registry", account)
    values = {k: v for k, v in values.items() if k in EDITABLE}
    if "department" in values:
        require(user, "manage_registry", values["department"])
    changes = _diff(account, values)
    if not changes:
        return account
    if "platform" in values or "remote_id" in values:
        _check_unique(
            values.get("platform", account.platform),
            values.get("remote_id", account.remote_id),
            exclude=account.pk,
        )
    with transaction.atomic():
        for k, v in values.items():
            setattr(account, k, v)
        account.save()
        AccountChange.objects.create(
            account=account, actor=_actor(user), action="updated", changes=changes
        )
        audit.record(
            actor=user,
            action="matrix_account_updated",
            obj=account,
            summary={"fields": sorted(changes)},
        )
    return account


def close_account(user, account: Account, closed_on: dt.date) -> Account:
    """Record that an account was closed (关停)."""
    if account.closed_on:
        raise RegistryError("already_closed", "该账号已关停")
    return update_account(user, account, closed_on=closed_on)


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


# --- import -----------------------------------------------------------------------------

COLUMNS = {
    "平台": "platform",
    "账号名称": "name",
    "平台账号ID": "remote_id",
    "主办部门": "department",
    "行政层级": "level",
    "类别": "kind",
    "认证状态": "verification",
    "备案号": "filing_number",
    "开设日期": "opened_on",
    "关停日期": "closed_on",
    "互动功能": "has_interaction",
    "联系人": "operator_name",
    "联系电话": "operator_phone",
}
REQUIRED = ["平台", "账号名称", "平台账号ID", "主办部门"]


def _choice(enum, value: str, what: str) -> str:
    v = value.strip()
    for key, label in enum.choices:
        if v in (key, label) or (v and label.startswith(v)):
            return key
    raise ValueError(
        f"{what}“{value}”无法识别（可填：{'、'.join(str(lbl) for _k, lbl in enum.choices)}）"
    )


def parse_date(value: str, what: str) -> dt.date | None:
    v = value.strip().replace("/", "-").replace(".", "-")
    if not v:
        return None
    v = v.replace("年", "-").replace("月", "-").replace("日", "")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in v.split(" ")[0].split("-")))
    except ValueError:
        raise ValueError(f"{what}“{value}”不是有效日期（应为 2025-03-01）")


@dataclass
class RowReport:
    line: int
    name: str
    errors: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    encoding: str = ""
    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    imported: int = 0
    created: int = 0
    updated: int = 0

    @property
    def valid(self) -> int:
        return sum(r.ok for r in self.rows)

    @property
    def invalid(self) -> int:
        return sum(not r.ok for r in self.rows)

    def as_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "file_errors": self.file_errors,
            "valid": self.valid,
            "invalid": self.invalid,
            "imported": self.imported,
            "created": self.created,
            "updated": self.updated,
            "rows": [{"line": r.line, "name": r.name, "errors": r.errors} for r in self.rows],
        }


def validate_accounts(user, data: bytes, filename: str) -> ImportReport:
    """Read and check every row of an account table; nothing is written."""
    report = ImportReport()
    try:
        table = read_table(data, filename)
    except TableError as exc:
        report.file_errors.append(str(exc))
        return report
    report.encoding = table.encoding
    missing = [c for c in REQUIRED if c not in table.header]
    unknown = [h for h in table.header if h and h not in COLUMNS]
    if missing:
        report.file_errors.append(f"缺少必需的列：{'、'.join(missing)}")
    if unknown:
        report.file_errors.append(
            f"无法识别的列：{'、'.join(unknown)}（可用列：{'、'.join(COLUMNS)}）"
        )
    if report.file_errors:
        return report
    depts = {}
    for d in Department.objects.all():
        depts[d.code] = d
        depts.setdefault(d.name, d)
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        r = RowReport(line=row["__line__"], name=row.get("账号名称", ""))
        report.rows.append(r)
        if row.get("__extra__"):
            r.errors.append("该行的列数多于表头")
        v: dict = {}
        for col in REQUIRED:
            if not row.get(col):
                r.errors.append(f"“{col}”不能为空")
        try:
            v["platform"] = _choice(Platform, row.get("平台", ""), "平台")
        except ValueError as exc:
            if row.get("平台"):
                r.errors.append(str(exc))
        v["name"] = row.get("账号名称", "")[:100]
        v["remote_id"] = row.get("平台账号ID", "")[:100]
        dept = depts.get(row.get("主办部门", ""))
        if row.get("主办部门") and dept is None:
            r.errors.append(f"主办部门“{row['主办部门']}”不存在（填部门代码或全称）")
        elif dept is not None:
            from govhub.core.permissions import can

            if not can(user, "manage_registry", dept):
                r.errors.append(f"无权为“{dept.name}”登记账号")
            v["department"] = dept
        for col, key, enum, default in [
            ("行政层级", "level", Level, dept.level if dept else Level.COUNTY),
            ("类别", "kind", AccountKind, AccountKind.GOVERNMENT),
            ("认证状态", "verification", Verification, Verification.VERIFIED),
        ]:
            try:
                v[key] = _choice(enum, row[col], col) if row.get(col) else default
            except ValueError as exc:
                r.errors.append(str(exc))
        for col, key in [("开设日期", "opened_on"), ("关停日期", "closed_on")]:
            try:
                v[key] = parse_date(row.get(col, ""), col)
            except ValueError as exc:
                r.errors.append(str(exc))
        if v.get("opened_on") and v.get("closed_on") and v["closed_on"] < v["opened_on"]:
            r.errors.append("关停日期早于开设日期")
        v["has_interaction"] = row.get("互动功能", "是") not in {"否", "无", "0", "false"}
        v["filing_number"] = row.get("备案号", "")[:60]
        v["operator_name"] = row.get("联系人", "")
        v["operator_phone"] = row.get("联系电话", "")
        key = (v.get("platform", ""), v["remote_id"])
        if v["remote_id"] and key in seen:
            r.errors.append(f"平台账号ID“{v['remote_id']}”与第 {seen[key]} 行重复")
        else:
            seen[key] = r.line
        r.values = v
    return report


def import_accounts(
    user, data: bytes, filename: str, *, import_valid_rows: bool = False
) -> ImportReport:
    """Import an account table. With errors nothing is written unless the user chose to import
    the valid rows; rows whose platform ID is already registered update that account."""
    require(user, "manage_registry")
    report = validate_accounts(user, data, filename)
    if report.file_errors or (report.invalid and not import_valid_rows):
        return report
    good = [r for r in report.rows if r.ok]
    existing = {
        (a.platform, a.remote_id): a
        for a in Account.objects.filter(remote_id__in=[r.values["remote_id"] for r in good])
    }
    with transaction.atomic():
        for r in good:
            acc = existing.get((r.values["platform"], r.values["remote_id"]))
            if acc is None:
                acc = Account(**r.values)
                acc.save()
                AccountChange.objects.create(
                    account=acc, actor=_actor(user), action="imported", changes={"行": r.line}
                )
                report.created += 1
            else:
                changes = _diff(acc, r.values)
                if changes:
                    for k, val in r.values.items():
                        setattr(acc, k, val)
                    acc.save()
                    AccountChange.objects.create(
                        account=acc, actor=_actor(user), action="imported", changes=changes
                    )
                    report.updated += 1
        report.imported = len(good)
        audit.record(
            actor=user,
            action="matrix_accounts_imported",
            obj=("matrix.account", "import"),
            summary={
                "file": filename[:100],
                "created": report.created,
                "updated": report.updated,
                "skipped": report.invalid,
            },
        )
    return report


CHANNEL_PLATFORMS = {"wechat", "weibo", "douyin", "wechat_channels", "portal"}


def _channel_values(channel) -> dict:
    return {
        "platform": channel.platform,
        "name": channel.name,
        "remote_id": channel.remote_id or f"channel-{channel.slug}",
        "department": channel.department,
    }


def link_channel_account(user, account: Account, channel) -> Account:
    """Make the registry entry and the platform's own account (channels.ChannelAccount) one
    account: the entry refers to it and takes its name, platform id and department, so
    publishing, the WeChat callback and supervision speak of the same record."""
    require(user, "manage_registry", account)
    if channel.platform not in CHANNEL_PLATFORMS:
        raise RegistryError("not_an_account", "RSS、邮件、短信不是政务新媒体账号，不能登记")
    other = Account.objects.filter(channel=channel).exclude(pk=account.pk).first()
    if other is not None:
        raise RegistryError("linked", f"该平台账号已对应台账中的“{other.name}”")
    values = _channel_values(channel)
    _check_unique(values["platform"], values["remote_id"], exclude=account.pk)
    changes = _diff(account, values)
    with transaction.atomic():
        for k, v in values.items():
            setattr(account, k, v)
        account.channel = channel
        account.save()
        AccountChange.objects.create(
            account=account, actor=_actor(user), action="linked", changes=changes
        )
        audit.record(
            actor=user,
            action="matrix_account_linked",
            obj=account,
            summary={"channel": channel.slug},
        )
    return account


def sync_channel_accounts() -> int:
    """Bring registry entries in line with the accounts they refer to (a renamed or moved
    account changes in one place: channels); run nightly. Returns the entries changed."""
    changed = 0
    for account in Account.objects.filter(channel__isnull=False).select_related(
        "channel", "department"
    ):
        values = _channel_values(account.channel)
        diff = _diff(account, values)
        if not diff:
            continue
        for k, v in values.items():
            setattr(account, k, v)
        with transaction.atomic():
            account.save()
            AccountChange.objects.create(account=account, action="synced", changes=diff)
        changed += 1
    return changed


def queue_inspection(user) -> bool:
    """Queue the whole supervision run (checks, duplicates, counterfeits, indices) for the job
    worker; False when one is already waiting or running."""
    from django.core.cache import cache

    from govhub.core.jobs import enqueue_on_commit
    from govhub.matrix import jobs

    require(user, "manage_registry")
    if not cache.add(jobs.RUN_QUEUED_KEY, "1", timeout=3600):
        return False
    try:
        with transaction.atomic():
            audit.record(actor=user, action="matrix_inspection_queued", summary={})
            enqueue_on_commit(jobs.inspection_now)
    except BaseException:
        cache.delete(jobs.RUN_QUEUED_KEY)
        raise
    return True
