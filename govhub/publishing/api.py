"""Publishing API: write, check, preview, review, deliveries (retry/withdraw), statistics."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from govhub.channels.adapters import adapter_for
from govhub.channels.base import marker_for
from govhub.channels.models import ChannelAccount, OutboundStat
from govhub.core.errors import DomainError
from govhub.core.models import Department
from govhub.core.permissions import get_for
from govhub.core.schemas import StrictIn
from govhub.publishing import actions
from govhub.publishing.checks import check_text
from govhub.publishing.models import Delivery

router = Router(tags=["内容发布"])


class TextIn(StrictIn):
    text: str
    html: bool = False


class FindingOut(Schema):
    code: str
    label: str
    severity: str
    message: str
    start: int
    end: int
    excerpt: str
    suggestion: str
    fingerprint: str


BODY_HELP = (
    "正文 HTML；正文中的图片先用 POST /publishing/images 上传，再写作 "
    '<embed embedtype="image" id="图片编号" format="fullwidth" alt="替代文字"/>'
)


class PublicationIn(StrictIn):
    title: str
    department: str = Field(description="部门代码，如 rmt")
    kind: str = "article"
    column: int | None = Field(
        None, description="门户栏目（栏目页编号，见 GET /publishing/columns）"
    )
    digest: str = ""
    body: str = Field("", description=BODY_HELP)
    short_text: str = ""
    cover: int | None = Field(None, description="封面图编号（POST /publishing/images 的 id）")
    images: list[int] = Field([], description="微博配图编号，最多 9 张")
    targets: list[str] = Field([], description="发布渠道账号代码（slug）")
    scheduled_at: dt.datetime | None = None


class PublicationPatch(Schema):
    title: str | None = None
    column: int | None = None
    digest: str | None = None
    body: str | None = Field(None, description=BODY_HELP)
    short_text: str | None = None
    cover: int | None = None
    images: list[int] | None = None
    targets: list[str] | None = None
    scheduled_at: dt.datetime | None = None


class ImageOut(Schema):
    id: int
    title: str
    url: str
    width: int
    height: int


class ColumnOut(Schema):
    id: int
    title: str
    path: str = Field(description="栏目在网站上的地址")


class DeliveryOut(Schema):
    id: int
    account: str
    platform: str
    state: str = Field(description="状态代码（见 state_label 的中文）")
    state_label: str = Field(description="状态（中文，与后台一致）")
    attempts: int
    remote_id: str
    remote_url: str
    last_error: str


class PublicationOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    department: str
    column: int | None
    cover: int | None
    cover_url: str | None
    images: list[int]
    current_step: str | None
    public_url: str | None
    notes: list[str] = []
    deliveries: list[DeliveryOut]


class CommentIn(StrictIn):
    comment: str = ""


class OverrideIn(StrictIn):
    fingerprint: str
    reason: str


class StatOut(Schema):
    delivery: int
    date: dt.date
    reads: int
    plays: int
    likes: int
    shares: int
    comments: int
    favourites: int
    is_total: bool


def _delivery_out(d: Delivery) -> dict:
    return {
        "id": d.pk,
        "account": d.account.slug,
        "platform": d.account.platform,
        "state": d.state,
        "state_label": d.status_label,
        "attempts": d.attempts,
        "remote_id": d.remote_id,
        "remote_url": d.remote_url,
        "last_error": d.last_error,
    }


def _out(pub, notes=()) -> dict:
    step = actions.current_step(pub)
    return {
        "id": pub.pk,
        "title": pub.title,
        "status": pub.status,
        "status_label": pub.get_status_display(),
        "department": pub.department.code,
        "column": pub.column_id,
        "cover": pub.cover_id,
        "cover_url": pub.cover.file.url if pub.cover_id else None,
        "images": sorted(pub.images.values_list("pk", flat=True)),
        "current_step": step.name if step else None,
        "public_url": pub.public_url if pub.status == "published" else None,
        "notes": list(notes),
        "deliveries": [
            _delivery_out(d) for d in pub.deliveries.select_related("account").order_by("pk")
        ],
    }


def _accounts(slugs: list[str]) -> list[ChannelAccount]:
    accounts = list(ChannelAccount.objects.filter(slug__in=slugs))
    missing = set(slugs) - {a.slug for a in accounts}
    if missing:
        raise DomainError(
            "unknown_target", "未知的发布渠道：" + "、".join(sorted(missing)), sorted(missing)
        )
    return accounts


def _relations(payload, fields: dict) -> dict:
    """Ids in the payload → the objects the actions take (unknown ids are refused by name)."""
    from wagtail.images import get_image_model
    from wagtail.models import Page

    Image = get_image_model()
    if "column" in fields and fields["column"] is not None:
        page = Page.objects.filter(pk=fields["column"]).first()
        if page is None:
            raise DomainError("unknown_column", f"未知的栏目编号 {fields['column']}")
        fields["column"] = page
    if "cover" in fields and fields["cover"] is not None:
        cover = Image.objects.filter(pk=fields["cover"]).first()
        if cover is None:
            raise DomainError("unknown_image", f"未知的封面图编号 {fields['cover']}")
        fields["cover"] = cover
    if fields.get("images") is not None and "images" in fields:
        ids = list(dict.fromkeys(fields["images"]))
        if len(ids) > 9:
            raise DomainError("too_many_images", "微博最多 9 张配图")
        found = list(Image.objects.filter(pk__in=ids))
        missing = set(ids) - {i.pk for i in found}
        if missing:
            raise DomainError(
                "unknown_image", "未知的图片编号：" + "、".join(map(str, sorted(missing)))
            )
        fields["images"] = found
    if getattr(payload, "targets", None) is not None:
        fields["targets"] = _accounts(payload.targets)
    return fields


@router.post("/images", response={201: ImageOut}, summary="上传图片（封面、正文插图、微博配图）")
def upload_image(request, file: File[UploadedFile], title: Form[str] = ""):
    image = actions.upload_image(request.user, file, title)
    return 201, _image_out(image)


def _image_out(image) -> dict:
    return {
        "id": image.pk,
        "title": image.title,
        "url": image.file.url,
        "width": image.width,
        "height": image.height,
    }


@router.get("/columns", response=list[ColumnOut], summary="门户栏目（可发布文章的栏目页）")
def columns(request):
    return [
        {"id": p.pk, "title": p.title, "path": p.url or ""}
        for p in actions.column_pages(request.user)
    ]


@router.post(
    "/check", response=list[FindingOut], summary="发布前检查一段文字（身份证/手机/银行卡/用语词库）"
)
def check(request, payload: TextIn):
    if len(payload.text) > 200_000:
        raise DomainError("too_long", "文字过长（上限 20 万字）")
    return [f.as_dict() for f in check_text(payload.text, html=payload.html)]


@router.post("/publications", response={201: PublicationOut}, summary="写新稿件")
def create(request, payload: PublicationIn):
    dept = Department.objects.filter(code=payload.department).first()
    if dept is None:
        raise DomainError("unknown_department", f"未知的部门代码 {payload.department}")
    fields = _relations(payload, payload.dict(exclude={"department", "targets"}))
    pub, notes = actions.create_publication(request.user, department=dept, **fields)
    return 201, _out(pub, notes)


@router.patch("/publications/{pk}", response=PublicationOut, summary="修改草稿或退回的稿件")
def update(request, pk: int, payload: PublicationPatch):
    pub = actions.get_publication_for(request.user, pk)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if k != "targets"}
    fields = _relations(payload, fields)
    notes = actions.update_publication(request.user, pub, **fields)
    pub.refresh_from_db()
    return _out(pub, notes)


@router.get("/publications/{pk}", response=PublicationOut, summary="稿件状态与投递")
def detail(request, pk: int):
    return _out(actions.get_publication_for(request.user, pk))


@router.get("/publications/{pk}/checks", response=list[FindingOut], summary="稿件的全部检查结果")
def checks(request, pk: int):
    findings, _ = actions.open_findings(actions.get_publication_for(request.user, pk))
    return [f.as_dict() for f in findings]


@router.get("/publications/{pk}/previews", summary="各渠道预览")
def previews(request, pk: int):
    pub = actions.get_publication_for(request.user, pk)
    out = {}
    for account in pub.targets.all():
        d = pub.deliveries.filter(account=account).first()
        out[account.slug] = (
            adapter_for(account.platform)
            .preview(pub, account, marker=marker_for(d) if d else "")
            .fields
        )
    return out


@router.post(
    "/publications/{pk}/overrides",
    response=PublicationOut,
    summary="审核人员放行一项检查（须写理由）",
)
def override(request, pk: int, payload: OverrideIn):
    pub = actions.get_publication_for(request.user, pk)
    actions.override_finding(request.user, pub, payload.fingerprint, payload.reason)
    return _out(pub)


@router.post(
    "/publications/{pk}/{action}",
    response=PublicationOut,
    summary="送审 / 通过 / 退回 / 不予发布 / 撤回",
)
def act(request, pk: int, action: str, payload: CommentIn):
    pub = actions.get_publication_for(request.user, pk)
    handlers = {
        "submit": lambda: actions.submit_for_review(request.user, pub),
        "approve": lambda: actions.approve(request.user, pub, payload.comment),
        "send-back": lambda: actions.send_back(request.user, pub, payload.comment),
        "reject": lambda: actions.reject(request.user, pub, payload.comment),
        "withdraw": lambda: actions.withdraw_publication(request.user, pub, payload.comment),
    }
    if action not in handlers:
        raise DomainError("unknown_action", f"未知操作 {action}", status=404)
    pub = handlers[action]()
    pub.refresh_from_db()
    return _out(pub)


@router.post("/deliveries/{pk}/retry", response=DeliveryOut, summary="重试投递")
def retry(request, pk: int):
    qs = Delivery.objects.select_related("account")
    d = actions.retry_delivery(request.user, get_for(request.user, "edit_content", qs, pk))
    return _delivery_out(d)


@router.post(
    "/deliveries/{pk}/withdraw", response=DeliveryOut, summary="撤回投递（删除平台上的内容）"
)
def withdraw(request, pk: int, payload: CommentIn):
    qs = Delivery.objects.select_related("account")
    d = actions.withdraw_delivery(
        request.user, get_for(request.user, "withdraw_content", qs, pk), payload.comment
    )
    return _delivery_out(d)


@router.get("/deliveries/{pk}/stats", response=list[StatOut], summary="投递的每日传播数据")
def stats(request, pk: int):
    qs = Delivery.objects.all()
    d = qs.filter(pk=pk).first()
    if d is None or not _visible_delivery(request.user, d):
        raise PermissionDenied("投递不存在或无权访问")
    return [
        {
            "delivery": s.outbound_id,
            "date": s.date,
            "reads": s.reads,
            "plays": s.plays,
            "likes": s.likes,
            "shares": s.shares,
            "comments": s.comments,
            "favourites": s.favourites,
            "is_total": s.is_total,
        }
        for s in OutboundStat.objects.filter(outbound=d).order_by("date")
    ]


def _visible_delivery(user, d: Delivery) -> bool:
    try:
        actions.get_publication_for(user, d.publication_id)
    except PermissionDenied:
        return False
    return True


ROUTERS = [("/publishing", router)]
