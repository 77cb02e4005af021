"""Publishing domain functions: one per state change (write, submit, approve, send back,
reject, override a check, publish, schedule, retry, withdraw). Each checks permission, changes
state in one transaction with its audit record, and lets the outbox run after commit."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from govhub.channels import outbox
from govhub.channels.adapters import adapter_for
from govhub.channels.base import ChannelError
from govhub.channels.render import sanitise_html
from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.permissions import can, register_action, require, scope_queryset
from govhub.publishing.checks import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    OVERRIDABLE_CODES,
    Finding,
    check_publication,
)
from govhub.publishing.models import (
    CheckOverride,
    Decision,
    Delivery,
    DeliveryState,
    Publication,
    PublicationAttachment,
    PubStatus,
    ReviewDecision,
    ReviewPolicy,
)

# 发布设置 (wording dictionary, check rules, review steps) are the administrator's: a reviewer who
# could edit the steps could make himself every step of a piece.
register_action("manage_wording", "维护发布设置（用语词库、检查规则、审核流程）", ["administrator"])

OVERRIDABLE = OVERRIDABLE_CODES
EDITABLE = {PubStatus.DRAFT, PubStatus.SENT_BACK}


class PublishingError(DomainError):
    """A refusal with a Chinese message shown where the editor or reviewer works."""


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    action: str
    department_id: int | None


DEFAULT_STEPS = [Step(1, "初审", "review_content", None), Step(2, "终审签发", "sign_content", None)]


def policy_for(pub: Publication) -> ReviewPolicy | None:
    """The review policy of the piece's column (nearest column with one), else the default."""
    policy = None
    if pub.column_id:
        ancestors = pub.column.get_ancestors(inclusive=True).values_list("pk", flat=True)
        policies = {
            p.column_id: p for p in ReviewPolicy.objects.filter(column_id__in=list(ancestors))
        }
        for pk in reversed(list(ancestors)):
            if pk in policies:
                policy = policies[pk]
                break
    if policy is None:
        policy = ReviewPolicy.objects.filter(is_default=True).first()
    return policy


def steps_for(pub: Publication) -> list[Step]:
    """The review steps of the piece's policy (三审 by default)."""
    policy = policy_for(pub)
    if policy is None:
        return DEFAULT_STEPS
    steps = [
        Step(s.order, s.name, s.action, s.department_id) for s in policy.steps.order_by("order")
    ]
    return steps or DEFAULT_STEPS


def current_step(pub: Publication) -> Step | None:
    if pub.status != PubStatus.IN_REVIEW:
        return None
    steps = steps_for(pub)
    return next((s for s in steps if s.order >= pub.current_step), None)


def _this_round(pub: Publication):
    """The decisions since the piece was last submitted (a piece sent back starts again)."""
    last = (
        ReviewDecision.objects.filter(publication=pub, decision=Decision.SUBMIT)
        .order_by("-at", "-pk")
        .first()
    )
    qs = ReviewDecision.objects.filter(publication=pub)
    return qs.filter(pk__gte=last.pk) if last else qs


def decide_refusal(user, pub: Publication) -> str | None:
    """Why ``user`` may not decide the piece's current step, or None when they may.

    The step's permission is asked within the step's department (or the piece's when the step
    names none). Unless the policy allows it, nobody — the administrator included — passes a
    step of a piece they wrote, submitted, or already passed a step of (三审由三个人)."""
    step = current_step(pub)
    if step is None:
        return f"稿件处于“{pub.get_status_display()}”状态，没有待审步骤"
    policy = policy_for(pub)
    if policy is None or policy.distinct_reviewers:
        if pub.author_id == user.pk:
            return f"不能审核自己撰写的稿件（“{step.name}”须由他人办理）"
        earlier = (
            _this_round(pub)
            .filter(actor=user, decision__in=[Decision.SUBMIT, Decision.APPROVE])
            .order_by("pk")
            .first()
        )
        if earlier is not None:
            done = earlier.step_name or "送审"
            return f"您已办理本稿件的“{done}”，“{step.name}”须由另一人办理"
    if step.department_id:
        from govhub.core.models import Department

        scope = Department.objects.get(pk=step.department_id)
    else:
        scope = pub
    if not can(user, step.action, scope):
        return f"无权办理“{step.name}”"
    return None


def can_decide(user, pub: Publication) -> bool:
    """May ``user`` decide the current step? (see :func:`decide_refusal`)"""
    return decide_refusal(user, pub) is None


def visible_publications(user):
    """The pieces ``user`` may open: those of departments they write, review or sign for, the
    pieces whose current step they hold (a signer of 县政府办 sees a 融媒体中心 piece waiting
    for 终审签发), and the pieces they have decided on before."""
    from django.db.models import Q

    qs = Publication.objects.select_related("department", "author")
    mine = scope_queryset(user, "edit_content", qs)
    for action in ("review_content", "sign_content"):
        mine = mine | scope_queryset(user, action, qs)
    extra = Q(pk__in=waiting_for(user)) | Q(
        pk__in=ReviewDecision.objects.filter(actor=user).values("publication_id")
    )
    return (mine | qs.filter(extra)).distinct()


def waiting_for(user) -> list[int]:
    """Ids of the pieces whose current step ``user`` may decide now (待我审核)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if not (can(user, "review_content") or can(user, "sign_content")):
        return []
    return [
        p.pk
        for p in Publication.objects.filter(status=PubStatus.IN_REVIEW).select_related("column")
        if can_decide(user, p)
    ]


def get_publication_for(user, pk) -> Publication:
    """One piece the user may open; refusal and absence look alike."""
    pub = visible_publications(user).filter(pk=pk).first()
    if pub is None:
        raise PermissionDenied("稿件不存在或无权访问")
    return pub


def open_findings(pub: Publication) -> tuple[list[Finding], set[str]]:
    """All findings and the fingerprints a reviewer has already overridden."""
    findings = check_publication(pub)
    overridden = set(
        CheckOverride.objects.filter(publication=pub).values_list("fingerprint", flat=True)
    )
    return findings, overridden


def _blocking(findings: list[Finding], overridden: set[str], *, personal: bool) -> list[Finding]:
    return [
        f
        for f in findings
        if f.blocking and f.fingerprint not in overridden and (personal or not f.personal)
    ]


def _refuse_findings(blocking: list[Finding], what: str) -> None:
    raise PublishingError(
        "checks_blocking",
        f"{what}：有 {len(blocking)} 项阻断性问题，请先修改"
        + ("或由审核人员说明理由后放行" if any(f.code in OVERRIDABLE for f in blocking) else ""),
        details=[f.as_dict() for f in blocking],
    )


# --- writing ---------------------------------------------------------------------------------

_EMBED = re.compile(r"<embed\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
_LINK = re.compile(r'<a\b[^>]*\blinktype="page"[^>]*>', re.IGNORECASE)
IMAGE_FORMATS = {"fullwidth", "left", "right"}


def clean_rich_text(value: str) -> str:
    """The body as stored: Draftail's rich text (or an API client's HTML) made safe — scripts,
    event handlers and javascript: links removed — keeping image embeds and page links, which
    become <img> and <a href> when the body is read (``Publication.body``)."""
    kept: list[str] = []

    def keep(tag: str) -> str:
        kept.append(tag)
        return f"GOVHUBKEPT{len(kept) - 1}X"

    def embed(m: re.Match) -> str:
        attrs = dict(_ATTR.findall(m.group(0)))
        if attrs.get("embedtype") != "image" or not attrs.get("id", "").isdigit():
            return ""
        fmt = attrs.get("format") if attrs.get("format") in IMAGE_FORMATS else "fullwidth"
        alt = html.escape(html.unescape(attrs.get("alt", "")), quote=True)
        return keep(f'<embed alt="{alt}" embedtype="image" format="{fmt}" id="{attrs["id"]}"/>')

    def page_link(m: re.Match) -> str:
        page_id = dict(_ATTR.findall(m.group(0))).get("id", "")
        return f'<a href="#govhub-page-{page_id}">' if page_id.isdigit() else "<a>"

    value = _LINK.sub(page_link, _EMBED.sub(embed, value or ""))
    clean = sanitise_html(value)
    clean = re.sub(r'<a href="#govhub-page-(\d+)"[^>]*>', r'<a id="\1" linktype="page">', clean)
    return re.sub(r"GOVHUBKEPT(\d+)X", lambda m: kept[int(m.group(1))], clean)


FIELDS = {
    "title",
    "kind",
    "department",
    "column",
    "digest",
    "body",
    "short_text",
    "cover",
    "scheduled_at",
}


def column_pages(user=None):
    """The portal's columns (栏目): live pages of the types an article may be placed under,
    never the articles themselves; given a person, only the columns their department reaches
    (a bureau's own columns and the county-wide ones — page rights follow the department tree)."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, get_page_models

    try:
        article = apps.get_model(getattr(settings, "PORTAL_ARTICLE_MODEL", "portal.ArticlePage"))
    except (LookupError, ValueError):
        return Page.objects.none()
    parents = [m for m in get_page_models() if article in m.allowed_subpage_models()]
    types = ContentType.objects.get_for_models(*parents).values() if parents else []
    columns = Page.objects.filter(content_type__in=list(types), live=True).order_by("path")
    if user is not None:
        from govhub.core.permissions import pages_for

        columns = pages_for(user, "edit_content", columns)
    return columns


IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
IMAGE_MAX_BYTES = 10 * 1024 * 1024


def upload_image(user, uploaded, title: str = ""):
    """An editor uploads a picture (cover, figure in the body, Weibo image): a Wagtail image,
    refused with a Chinese message when it is not a picture or is over 10MB."""
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError
    from wagtail.images import get_image_model

    require(user, "edit_content")
    name = os.path.basename(uploaded.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in IMAGE_EXTENSIONS:
        raise PublishingError(
            "image_type",
            f"不支持的图片类型“{ext or '无扩展名'}”，允许：jpg、png、gif、webp",
        )
    if uploaded.size > IMAGE_MAX_BYTES:
        raise PublishingError("image_size", f"图片 {uploaded.size / 1048576:.1f}MB，超过 10MB 上限")
    try:
        with PILImage.open(uploaded) as probe:
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise PublishingError("image_unreadable", "文件不是可以打开的图片") from None
    uploaded.seek(0)
    model = get_image_model()
    with transaction.atomic():
        image = model(
            title=(title or os.path.splitext(name)[0] or "图片")[:255],
            file=ImageFile(uploaded, name=name),
            uploaded_by_user=user,
        )
        image.save()
        image._set_image_file_metadata()  # size and hash now, not on the first page view
        image.save(update_fields=["file_size", "file_hash"])
        audit.record(actor=user, action="image_uploaded", obj=image, summary={"title": image.title})
    # the sizes the back office shows it in (the library's edit page, the chooser), made now so
    # that opening those pages writes nothing
    for spec in (*COVER_RENDITIONS, "max-800x600", "original"):
        image.get_rendition(spec)
    return image


def _apply(pub: Publication, fields: dict, user=None) -> list[str]:
    notes = []
    unknown = set(fields) - FIELDS - {"targets", "images"}
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    for name, value in fields.items():
        if name in ("targets", "images"):
            continue
        if name == "body":
            clean = clean_rich_text(value or "")
            if clean != (value or "") and any(
                k in (value or "").lower() for k in ("<script", "javascript:", " on")
            ):
                notes.append("正文中的脚本、事件属性等不安全内容已被移除")
            value = clean
        setattr(pub, name, value)
    if (
        "column" in fields
        and pub.column_id
        and not column_pages().filter(pk=pub.column_id).exists()
    ):
        raise PublishingError("invalid_column", "门户栏目只能选择栏目页，不能选择文章")
    if (
        "column" in fields
        and pub.column_id
        and user is not None
        and not column_pages(user).filter(pk=pub.column_id).exists()
    ):
        raise PublishingError("invalid_column", "该栏目属于其他部门，您不能向它发稿")
    if not (pub.title or "").strip():
        raise PublishingError("invalid", "请填写标题")
    if len(pub.title) > 64:
        raise PublishingError("invalid", f"标题 {len(pub.title)} 字，最多 64 字")
    if pub.scheduled_at and timezone.is_naive(pub.scheduled_at):
        raise PublishingError("invalid", "定时发布时间须带时区")
    return notes


# the renditions pages show: the editor's chooser thumbnail, the portal article's cover
COVER_RENDITIONS = ("max-165x165", "width-800")


def _warm_renditions(pub: Publication) -> None:
    """Make the image sizes the piece's pages will show now, while writing, so that reading a
    page (a preview, the published article) never has to write them."""
    from wagtail.images.models import SourceImageIOError

    try:
        _ = pub.body  # body images: expand_db_html makes their renditions
        for image in ([pub.cover] if pub.cover_id else []) + list(pub.images.all()):
            for spec in COVER_RENDITIONS:
                image.get_rendition(spec)
    except SourceImageIOError:
        pass  # a missing file is reported by the checks, not here


def _set_relations(pub: Publication, fields: dict) -> None:
    if "targets" in fields:
        targets = list(fields["targets"])
        if any(not t.enabled for t in targets):
            raise PublishingError("invalid", "不能选择已停用的渠道账号")
        pub.targets.set(targets)
    if "images" in fields:
        images = list(fields["images"])
        pub.images.set(images)


def create_publication(user, *, department, **fields) -> tuple[Publication, list[str]]:
    """An editor starts a piece (草稿) in a department they write for."""
    require(user, "edit_content", department)
    with transaction.atomic():
        pub = Publication(department=department, author=user)
        notes = _apply(pub, fields, user)
        pub.save()
        _set_relations(pub, fields)
        _warm_renditions(pub)
        audit.record(
            actor=user, action="publication_created", obj=pub, summary={"title": pub.title}
        )
    return pub, notes


def update_publication(user, pub: Publication, **fields) -> list[str]:
    """Edit a draft or a piece sent back for changes."""
    require(user, "edit_content", pub)
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=pub.pk)
        if pub.status not in EDITABLE:
            raise PublishingError(
                "not_editable", f"稿件处于“{pub.get_status_display()}”状态，不能修改"
            )
        if "department" in fields:
            require(user, "edit_content", fields["department"])
        notes = _apply(pub, fields, user)
        pub.save()
        _set_relations(pub, fields)
        _warm_renditions(pub)
        audit.record(
            actor=user,
            action="publication_edited",
            obj=pub,
            summary={
                "fields": sorted(k for k in fields if k != "body")
                + (["body"] if "body" in fields else [])
            },
        )
    return notes


def extract_text(name: str, data: bytes) -> str:
    """Text of an attachment for the personal-data check (plain text, CSV, HTML, DOCX, PDF)."""
    ext = os.path.splitext(name)[1].lower()
    if ext in (".txt", ".csv"):
        for enc in ("utf-8", "gb18030"):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
        return ""
    if ext == ".docx":
        import io
        import re
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                xml = zf.read("word/document.xml").decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError):
            return ""
        return re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n"))
    if ext == ".pdf":
        try:
            import io

            from pypdf import PdfReader

            return "\n".join(
                (p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages[:50]
            )
        except Exception:  # noqa: BLE001 - unreadable PDFs are published without a text check
            return ""
    return ""


def validate_attachment(uploaded) -> None:
    """Refuse unsupported types and oversize files (before anything is written)."""
    name = os.path.basename(uploaded.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ATTACHMENT_EXTENSIONS:
        raise PublishingError(
            "attachment_type",
            f"不支持的附件类型“{ext or '无扩展名'}”，"
            f"允许：{'、'.join(sorted(e.lstrip('.') for e in ATTACHMENT_EXTENSIONS))}",
        )
    if uploaded.size > ATTACHMENT_MAX_BYTES:
        raise PublishingError(
            "attachment_size", f"附件 {uploaded.size / 1048576:.1f}MB，超过 20MB 上限"
        )


def add_attachment(user, pub: Publication, uploaded) -> PublicationAttachment:
    """Attach a file; unsupported types and oversize files are refused with a Chinese message."""
    require(user, "edit_content", pub)
    validate_attachment(uploaded)
    name = os.path.basename(uploaded.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ATTACHMENT_EXTENSIONS:
        raise PublishingError(
            "attachment_type",
            f"不支持的附件类型“{ext or '无扩展名'}”，"
            f"允许：{'、'.join(sorted(e.lstrip('.') for e in ATTACHMENT_EXTENSIONS))}",
        )
    if uploaded.size > ATTACHMENT_MAX_BYTES:
        raise PublishingError(
            "attachment_size", f"附件 {uploaded.size / 1048576:.1f}MB，超过 20MB 上限"
        )
    data = uploaded.read()
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=pub.pk)
        if pub.status not in EDITABLE:
            raise PublishingError("not_editable", "稿件已提交，不能再添加附件")
        from django.core.files.base import ContentFile

        att = PublicationAttachment(
            publication=pub,
            name=name[:200],
            size=len(data),
            extracted_text=extract_text(name, data),
        )
        att.file.save(name, ContentFile(data), save=False)
        att.save()
        audit.record(
            actor=user, action="attachment_added", obj=pub, summary={"attachment": name[:100]}
        )
    return att


# --- review ----------------------------------------------------------------------------------


def _decision(
    pub: Publication, user, decision: str, comment: str = "", step: Step | None = None
) -> None:
    ReviewDecision.objects.create(
        publication=pub,
        actor=user,
        decision=decision,
        comment=comment,
        step_order=step.order if step else 0,
        step_name=step.name if step else "",
    )


def submit_for_review(user, pub: Publication) -> Publication:
    """The editor sends the piece into its column's review steps (送审)."""
    require(user, "edit_content", pub)
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=pub.pk)
        if pub.status not in EDITABLE:
            raise PublishingError(
                "not_submittable", f"稿件处于“{pub.get_status_display()}”状态，不能送审"
            )
        if not pub.targets.exists():
            raise PublishingError("no_targets", "请至少选择一个发布渠道")
        findings, overridden = open_findings(pub)
        blocking = _blocking(findings, overridden, personal=False)
        if blocking:
            _refuse_findings(blocking, "不能送审")
        first = steps_for(pub)[0]
        pub.status, pub.current_step = PubStatus.IN_REVIEW, first.order
        pub.save(update_fields=["status", "current_step", "updated_at"])
        _decision(pub, user, Decision.SUBMIT)
        audit.record(
            actor=user, action="publication_submitted", obj=pub, summary={"step": first.name}
        )
    return pub


def _require_step(user, pub: Publication) -> Step:
    step = current_step(pub)
    if step is None:
        raise PublishingError(
            "not_in_review", f"稿件处于“{pub.get_status_display()}”状态，没有待审步骤"
        )
    refusal = decide_refusal(user, pub)
    if refusal is not None:
        audit.record(
            actor=user, action="permission_denied", obj=pub, summary={"attempted": step.action}
        )
        raise PermissionDenied(refusal)
    return step


def approve(user, pub: Publication, comment: str = "") -> Publication:
    """Approve the current step; the last step publishes now or at the scheduled time (签发)."""
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=pub.pk)
        step = _require_step(user, pub)
        findings, overridden = open_findings(pub)
        blocking = _blocking(findings, overridden, personal=True)
        if blocking:
            _refuse_findings(blocking, "不能通过")
        _decision(pub, user, Decision.APPROVE, comment, step)
        later = [s for s in steps_for(pub) if s.order > step.order]
        audit.record(
            actor=user,
            action="publication_approved",
            obj=pub,
            summary={"step": step.name, "final": not later},
        )
        if later:
            pub.current_step = later[0].order
            pub.save(update_fields=["current_step", "updated_at"])
        elif pub.scheduled_at and pub.scheduled_at > timezone.now():
            pub.status = PubStatus.SCHEDULED
            pub.save(update_fields=["status", "updated_at"])
        else:
            _publish(pub, actor=user)
    return pub


def send_back(user, pub: Publication, comment: str) -> Publication:
    """Return the piece to its editor with what to change (退回修改)."""
    if not (comment or "").strip():
        raise PublishingError("comment_required", "退回修改须填写意见")
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=pub.pk)
        if pub.status == PubStatus.SCHEDULED:
            require(user, "sign_content", pub)
            step = Step(0, "定时待发", "sign_content", None)
        else:
            step = _require_step(user, pub)
        pub.status, pub.current_step = PubStatus.SENT_BACK, 0
        pub.save(update_fields=["status", "current_step", "updated_at"])
        _decision(pub, user, Decision.SEND_BACK, comment, step)
        audit.record(
            actor=user, action="publication_sent_back", obj=pub, summary={"step": step.name}
        )
    return pub


def reject(user, pub: Publication, comment: str) -> Publication:
    """Refuse the piece for good (不予发布)."""
    if not (comment or "").strip():
        raise PublishingError("comment_required", "不予发布须说明理由")
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=pub.pk)
        step = _require_step(user, pub)
        pub.status = PubStatus.REJECTED
        pub.save(update_fields=["status", "updated_at"])
        _decision(pub, user, Decision.REJECT, comment, step)
        audit.record(
            actor=user, action="publication_rejected", obj=pub, summary={"step": step.name}
        )
    return pub


def override_finding(user, pub: Publication, fingerprint: str, reason: str) -> CheckOverride:
    """A reviewer lets one blocking finding through, saying why (放行, e.g. 公示必须的联系电话)."""
    require(user, "override_check", pub)
    if len((reason or "").strip()) < 4:
        raise PublishingError("reason_required", "放行须写明理由（至少 4 个字）")
    findings = {f.fingerprint: f for f in check_publication(pub)}
    finding = findings.get(fingerprint)
    if finding is None:
        raise PublishingError("unknown_finding", "该检查结果已不存在（稿件可能已修改），请刷新")
    if finding.code not in OVERRIDABLE:
        raise PublishingError("not_overridable", f"“{finding.label}”问题不能放行，须修改稿件")
    with transaction.atomic():
        ov, _ = CheckOverride.objects.get_or_create(
            publication=pub,
            fingerprint=fingerprint,
            defaults={"code": finding.code, "reason": reason.strip(), "actor": user},
        )
        _decision(pub, user, Decision.OVERRIDE, f"{finding.label}：{reason.strip()}")
        audit.record(actor=user, action="check_overridden", obj=pub, summary={"code": finding.code})
    return ov


# --- publishing and the outbox -------------------------------------------------------------------


def _publish(pub: Publication, actor) -> None:
    """Inside the caller's transaction: the piece is published and one delivery per target
    enters the outbox (``publishing.outbox``); they are sent after commit."""
    from govhub.publishing.outbox import queue_deliveries

    now = timezone.now()
    pub.status, pub.published_at = PubStatus.PUBLISHED, now
    pub.save(update_fields=["status", "published_at", "updated_at"])
    made = queue_deliveries(pub)
    audit.record(actor=actor, action="publication_published", obj=pub, summary={"deliveries": made})


def publish_due_scheduled(now: dt.datetime | None = None) -> int:
    """定时发布: publish every scheduled piece whose time has come (run by a periodic job)."""
    now = now or timezone.now()
    n = 0
    for pk in Publication.objects.filter(
        status=PubStatus.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            pub = Publication.objects.select_for_update().get(pk=pk)
            if pub.status != PubStatus.SCHEDULED:
                continue
            _publish(pub, actor=None)
            n += 1
    return n


def _who(user) -> str:
    """A person's name as the delivery log shows it (not the login name)."""
    return user.get_full_name() or user.get_username()


def retry_delivery(user, delivery: Delivery) -> Delivery:
    """The editor sends a failed (or unconfigured) delivery again; it keeps its idempotency key."""
    require(user, "edit_content", delivery)
    with transaction.atomic():
        try:
            outbox.requeue(delivery, f"{_who(user)} 手动重试")
        except outbox.NotChanged:
            raise PublishingError(
                "not_retryable", "只有“发送失败”“等待重试”或“渠道未配置”的投递可以重试"
            ) from None
        audit.record(
            actor=user,
            action="delivery_retried",
            obj=delivery,
            summary={"account": delivery.account.slug},
        )
    delivery.refresh_from_db()
    return delivery


def record_manual_publication(user, delivery: Delivery, url: str) -> Delivery:
    """登记已发表: a delivery waiting for a person (视频号 has no publishing interface) was
    published by hand; the editor records its link and it counts as sent."""
    require(user, "edit_content", delivery)
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")):
        raise PublishingError("bad_url", "请填写以 https:// 开头的视频号链接")
    with transaction.atomic():
        try:
            outbox.mark_published_by_hand(delivery, url[:500], f"{_who(user)} 登记已在平台发表")
        except outbox.NotChanged:
            raise PublishingError("state_changed", "该投递不在“待人工发表”状态，请刷新") from None
        audit.record(
            actor=user,
            action="delivery_published_by_hand",
            obj=delivery,
            summary={"account": delivery.account.slug},
        )
    delivery.refresh_from_db()
    return delivery


def withdraw_delivery(user, delivery: Delivery, reason: str = "") -> Delivery:
    """撤回: delete the remote post where the platform allows, then record it. A delivery not yet
    sent is simply cancelled. The platform call happens before our transaction; if it fails,
    nothing changes here and the editor sees why."""
    require(user, "withdraw_content", delivery)
    delivery = Delivery.objects.select_related("account").get(pk=delivery.pk)
    if delivery.state == DeliveryState.SENDING:
        raise PublishingError("sending", "正在发送，请稍后再撤回")
    if delivery.state == DeliveryState.WITHDRAWN:
        return delivery
    if delivery.state == DeliveryState.SENT:
        adapter = adapter_for(delivery.account.platform)
        if adapter.can_withdraw:
            try:
                adapter.withdraw(delivery)
            except ChannelError as exc:
                raise PublishingError("withdraw_failed", f"撤回失败：{exc.message}") from exc
            note = "已从平台删除"
        else:
            note = "该渠道无法撤回已发出的内容，已记录撤回"
        from_states = [DeliveryState.SENT]
    else:
        note = "未发送，已取消"
        from_states = [
            DeliveryState.QUEUED,
            DeliveryState.RETRYING,
            DeliveryState.GAVE_UP,
            DeliveryState.UNCONFIGURED,
            DeliveryState.MANUAL,
        ]
    with transaction.atomic():
        text = note + (f"（{reason.strip()[:200]}）" if reason.strip() else "")
        try:
            outbox.mark_withdrawn(delivery, from_states, text)
        except outbox.NotChanged:
            raise PublishingError("state_changed", "投递状态刚刚发生变化，请刷新后再试") from None
        audit.record(
            actor=user,
            action="delivery_withdrawn",
            obj=delivery,
            summary={"account": delivery.account.slug, "note": note},
        )
    delivery.refresh_from_db()
    return delivery


def withdraw_publication(user, pub: Publication, reason: str) -> Publication:
    """Withdraw a published piece everywhere it went (each delivery as above)."""
    require(user, "withdraw_content", pub)
    if not (reason or "").strip():
        raise PublishingError("reason_required", "撤回须说明理由")
    errors = []
    for d in pub.deliveries.exclude(state=DeliveryState.WITHDRAWN):
        try:
            withdraw_delivery(user, d, reason)
        except PublishingError as exc:
            errors.append(f"{d.account.name}：{exc.message}")
    with transaction.atomic():
        pub = Publication.objects.select_for_update().get(pk=pub.pk)
        if not errors:
            pub.status = PubStatus.WITHDRAWN
            pub.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=user, action="publication_withdrawn", obj=pub, summary={"complete": not errors}
        )
    if errors:
        raise PublishingError("withdraw_partial", "部分渠道撤回失败：" + "；".join(errors))
    return pub
