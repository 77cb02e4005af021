"""Back-office pages (Wagtail admin): queues for dispatchers, handlers, reviewers and
supervisors; one page per letter with its clock, history and the actions the user may take;
the phone desk; the deadline policy; router versions. Thin views over the lifecycle functions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from govhub.core.models import Department
from govhub.core.permissions import can, require
from govhub.core.pii import redact_text, shown_text, shown_value
from govhub.letters import actions, intake, policy_admin
from govhub.letters.access import can_letter, get_letter_for, visible_letters
from govhub.letters.deadlines import clock, current_policy
from govhub.letters.forms import VillageField
from govhub.letters.models import (
    Extension,
    ExtensionStatus,
    Reminder,
    ReminderKind,
    ReplyStatus,
    RouterModel,
    Status,
)
from govhub.letters.text import redact_for_publication

TABS = [
    ("dispatch", "待分办", "dispatch_letter"),
    ("handle", "待办理", "handle_letter"),
    ("review", "待审核答复", "review_reply"),
    ("supervise", "督办", "supervise_letter"),
    ("all", "全部信件", None),
]


def _departments():
    return Department.objects.filter(is_active=True, level__in=["county", "town"]).order_by("path")


QUEUE_PER_PAGE = 30
# a queue longer than this says “1000 封以上” instead of its exact length: counting tens of
# thousands of waiting letters at every view cost more than the page's rows (a whole-table scan
# at 20,000 letters), and a dispatcher reads the first page, not the number to the unit
QUEUE_COUNT_CAP = 1000
# what a row of the list shows (and its clock reads): not the encrypted subject and content,
# which every row would decrypt for nothing, nor the archive's long texts
LIST_FIELDS = (
    "id",
    "tracking_code",
    "status",
    "subject_redacted",
    "department__name",
    "suggestion",
    "received_at",
    "dispatch_due",
    "handle_due",
    "reply_due",
)


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` letters past the start of the page asked for
    (``near``), so a long queue costs a bounded count at any page; ``capped`` says the count
    stopped there. Asked past the end, it counts all, and ``get_page`` shows the last page."""

    def __init__(self, object_list, per_page: int, *, cap: int, near: int):
        super().__init__(object_list, per_page)
        self.cap, self.near, self.capped = cap, near, False

    @cached_property
    def count(self) -> int:
        start = (self.near - 1) * self.per_page
        seen = self.object_list.order_by()[start : start + self.cap + 1].count()
        if seen == 0 and start:
            return self.object_list.count()
        self.capped = seen > self.cap
        return start + min(seen, self.cap)


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _supervised(qs: models.QuerySet, today) -> models.QuerySet:
    """The 督办 tab's letters of ``qs``: overdue, reopened, with a pending extension, or
    escalated while open. A UNION of one query per reason, each served by its own index: one
    WHERE with these ORs (two of them subqueries) read every letter of the table."""
    waiting = [Status.RECEIVED, Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
    qs = qs.order_by()
    return qs.filter(status=Status.RECEIVED, dispatch_due__lt=today).union(
        qs.filter(status__in=waiting[1:], reply_due__lt=today),
        qs.filter(status=Status.REOPENED),
        qs.filter(
            pk__in=Extension.objects.filter(status=ExtensionStatus.PENDING).values("letter_id")
        ),
        qs.filter(
            status__in=waiting,
            pk__in=Reminder.objects.filter(kind=ReminderKind.ESCALATE).values("letter_id"),
        ),
    )


def queue(request):
    """The user's work queue: the first tab their roles allow, or the one asked for."""
    user = request.user
    tabs = [(k, label) for k, label, action in TABS if action is None or can(user, action)]
    if len(tabs) == 1 and not can(user, "view_letter"):
        require(user, "view_letter")
    tab = request.GET.get("tab") or (tabs[0][0] if tabs else "all")
    qs = visible_letters(user).select_related("department").only(*LIST_FIELDS)
    today = timezone.localdate()
    extra = {}
    if tab == "dispatch":
        qs = qs.filter(status=Status.RECEIVED).order_by("received_at")
    elif tab == "handle":
        qs = qs.filter(status__in=[Status.DISPATCHED, Status.HANDLING]).order_by("reply_due")
    elif tab == "review":
        qs = qs.filter(status=Status.REVIEWING).order_by("reply_due")
    elif tab == "supervise":
        qs = _supervised(qs, today).order_by("reply_due")
        extra["pending_extensions"] = list(
            Extension.objects.filter(
                status=ExtensionStatus.PENDING, letter__in=visible_letters(user)
            )
            .select_related("letter", "department")
            .only(
                "id",
                "days",
                "reason",
                "letter__id",
                "letter__tracking_code",
                "letter__subject_redacted",
                "department__name",
            )
        )
        for e in extra["pending_extensions"]:
            # a list preview, like the subject beside it: personal data masked for everyone
            e.shown_reason = redact_text(e.reason)
    else:
        q = (request.GET.get("q") or "").strip()[:40]
        if q:
            # the subject is encrypted: search its redacted copy
            qs = qs.filter(Q(subject_redacted__icontains=q) | Q(tracking_code__icontains=q.upper()))
        status = request.GET.get("status")
        if status in Status.values:
            qs = qs.filter(status=status)
        extra["q"], extra["status"], extra["statuses"] = q, status, Status.choices
        extra["filters"] = urlencode({k: v for k, v in (("q", q), ("status", status)) if v})
    number = _page_number(request.GET.get("p"))
    paginator = CappedPaginator(qs, QUEUE_PER_PAGE, cap=QUEUE_COUNT_CAP, near=number)
    page = paginator.get_page(number)
    rows = [{"letter": lt, "clock": clock(lt, today)} for lt in page]
    return render(
        request,
        "letters/admin/queue.html",
        {
            "tabs": tabs,
            "tab": tab,
            "page": page,
            "rows": rows,
            "may_record": can(user, "record_letter"),
            **extra,
        },
    )


def detail(request, letter_id: int):
    user = request.user
    letter = get_letter_for(user, letter_id)
    citizen = letter.citizen
    person = {}
    if citizen is not None:
        person = {
            f: shown_value(user, _CitizenView(citizen, letter), f)
            for f in ("name", "phone", "email")
        }
    may = {
        a: can_letter(user, a, letter)
        for a in (
            "dispatch_letter",
            "handle_letter",
            "review_reply",
            "supervise_letter",
            "approve_extension",
            "publish_letter",
        )
    }
    personal = can(user, "view_personal_data", letter)
    shown = {f: shown_text(user, letter, f, allowed=personal) for f in ("subject", "content")}
    reply = letter.replies.first()
    events = list(letter.events.select_related("actor", "department"))
    pending_extension = letter.extensions.filter(status=ExtensionStatus.PENDING).first()
    # staff-written notes repeat phones and ID numbers: masked like the letter for roles
    # without view_personal_data (the redacted copy where the model keeps one)
    for e in events:
        e.shown_note = shown_text(user, e, "note", allowed=personal)
    if reply is not None:
        reply.shown_body = shown_text(user, reply, "body", allowed=personal)
        reply.shown_review_note = shown_text(user, reply, "review_note", allowed=personal)
    if pending_extension is not None:
        pending_extension.shown_reason = shown_text(
            user, pending_extension, "reason", allowed=personal
        )
    names = [citizen.name] if citizen and citizen.name else []
    approved = letter.replies.filter(status=ReplyStatus.APPROVED).first()
    return render(
        request,
        "letters/admin/detail.html",
        {
            "letter": letter,
            "shown": shown,
            "clock": clock(letter),
            "events": events,
            "person": person,
            "may": may,
            "reply": reply,
            "Status": Status,
            "departments": _departments(),
            "suggestion": letter.suggestion or {},
            "pending_extension": pending_extension,
            "assignments": letter.assignments.filter(active=True).select_related("department"),
            "attachments": letter.attachments.all(),
            "reminders": Reminder.objects.filter(letter=letter).order_by("-created_at")[:10],
            "notices": _notices(letter),
            "may_record": can(user, "record_letter"),
            "map": _letter_map(letter),
            "redacted": {
                "subject": letter.public_subject or redact_for_publication(letter.subject, names),
                "content": letter.public_content or redact_for_publication(letter.content, names),
                "reply": letter.public_reply
                or (redact_for_publication(approved.body, names) if approved else ""),
            },
        },
    )


def _letter_map(letter) -> dict | None:
    """The letter's point for a small map, when it has one and the county a tile server."""
    from django.conf import settings

    tile_url = getattr(settings, "MAP_TILE_URL", None) or ""
    if letter.latitude is None or letter.longitude is None or not tile_url:
        return None
    return {"lat": letter.latitude, "lng": letter.longitude, "tiles": tile_url}


def _notices(letter) -> list[dict]:
    """What the citizen was told, through which channel, and whether it went out (the
    outbox's own Chinese states, see ``govhub.letters.notify.notice_rows``)."""
    from govhub.letters.notify import notice_rows

    return notice_rows(letter)


def attachment(request, letter_id: int, attachment_id: int):
    """An attachment for staff who may see the letter (403 otherwise); each download is audited."""
    from govhub.core.views import permission_denied
    from govhub.letters.attachments import staff_download

    try:  # a plain 403, not Wagtail's redirect to the dashboard: this is a file link
        return staff_download(request.user, letter_id, attachment_id, via="admin")
    except PermissionDenied as exc:
        return permission_denied(request, exc)


def thumbnail(request, letter_id: int, attachment_id: int):
    """A photo attachment shown inline on the letter's page (403 for those who may not see the
    letter)."""
    from govhub.core.views import permission_denied
    from govhub.letters.attachments import staff_thumbnail

    try:
        return staff_thumbnail(request.user, letter_id, attachment_id)
    except PermissionDenied as exc:
        return permission_denied(request, exc)


class _CitizenView:
    """The citizen's fields, scoped for ``view_personal_data`` through the letter's departments."""

    def __init__(self, citizen, letter):
        self._c, self._letter = citizen, letter

    def __getattr__(self, name):
        return getattr(self._c, name)

    def permission_departments(self):
        return self._letter.permission_departments()


def _dept(value) -> Department | None:
    try:
        return Department.objects.get(pk=int(value)) if value else None
    except (ValueError, Department.DoesNotExist):
        return None


@require_POST
def act(request, letter_id: int, action: str):
    """One endpoint per letter for the detail page's forms; each calls one lifecycle function."""
    user, p = request.user, request.POST
    letter = get_letter_for(user, letter_id)
    try:
        if action == "dispatch":
            dept = _dept(p.get("department"))
            if dept is None:
                raise actions.LetterStateError("请选择主办单位。")
            co = [d for d in (_dept(v) for v in p.getlist("co_departments")) if d]
            actions.dispatch_letter(
                user, letter, department=dept, co_departments=co, note=p.get("note", "")
            )
            done = f"已分办至{dept.name}"
        elif action == "merge":
            into = (
                visible_letters(user)
                .filter(tracking_code=intake.normalise_code(p.get("into", "")))
                .first()
            )
            if into is None:
                raise actions.LetterStateError("未找到要合并到的信件（请填写其查询码）。")
            actions.merge_letter(user, letter, into=into, note=p.get("note", ""))
            done = "已合并"
        elif action == "invalid":
            actions.mark_invalid(user, letter, reason=p.get("reason", ""))
            done = "已认定为无效信件"
        elif action == "accept":
            actions.accept_letter(user, letter, note=p.get("note", ""))
            done = "已签收"
        elif action == "return":
            actions.return_letter(user, letter, reason=p.get("reason", ""))
            done = "已退回分办"
        elif action == "extension":
            try:
                days = int(p.get("days", "0"))
            except ValueError:
                days = 0
            actions.request_extension(user, letter, days=days, reason=p.get("reason", ""))
            done = "已提交延期申请"
        elif action == "decide_extension":
            ext = letter.extensions.filter(status=ExtensionStatus.PENDING).first()
            if ext is None:
                raise actions.LetterStateError("没有待审批的延期申请。")
            actions.decide_extension(
                user, ext, approve=p.get("decision") == "approve", note=p.get("note", "")
            )
            done = "已审批延期申请"
        elif action == "draft":
            submit = p.get("submit") == "1"
            actions.draft_reply(user, letter, body=p.get("body", ""), submit=submit)
            done = "答复已送审" if submit else "答复草稿已保存"
        elif action == "review":
            approve = p.get("decision") == "approve"
            actions.review_reply(user, letter, approve=approve, note=p.get("note", ""))
            done = "答复已审核通过并发出" if approve else "答复已退回修改"
        elif action == "reopen":
            actions.reopen_letter(
                user, letter, note=p.get("note", ""), department=_dept(p.get("department"))
            )
            done = "已要求重新办理"
        elif action == "close":
            actions.close_letter(user, letter, note=p.get("note", ""))
            done = "信件已办结"
        elif action == "publish":
            actions.publish_letter(
                user,
                letter,
                subject=p.get("subject", ""),
                content=p.get("content", ""),
                reply=p.get("reply", ""),
            )
            done = "已在来信选登中公开"
        elif action == "unpublish":
            actions.unpublish_letter(user, letter, reason=p.get("reason", ""))
            done = "已撤回公开"
        else:
            raise PermissionDenied("未知操作")
    except actions.LetterStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("letters_admin:detail", letter_id=letter.pk)


class PhoneLetterForm(forms.Form):
    subject = forms.CharField(label="标题", max_length=200, required=False)
    content = forms.CharField(label="来信内容", widget=forms.Textarea)
    name = forms.CharField(label="来信人姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30)
    town = forms.ModelChoiceField(
        label="乡镇",
        required=False,
        to_field_name="code",
        queryset=Department.objects.filter(level="town", is_active=True).order_by("path"),
        empty_label="— 请选择乡镇 —",
    )
    village = VillageField(
        label="村（社区）",
        required=False,
        to_field_name="code",
        queryset=Department.objects.filter(level="village", is_active=True).order_by("path"),
        empty_label="— 请先选择乡镇 —",
    )
    address = forms.CharField(label="详细地点", max_length=200, required=False)
    channel = forms.ChoiceField(
        label="渠道", choices=[("phone", "电话"), ("weibo", "微博"), ("inbox", "其他")]
    )
    publish_consent = forms.BooleanField(label="来信人同意公开", required=False)

    def clean(self):
        data = super().clean()
        town, village = data.get("town"), data.get("village")
        if village is not None and town is not None and not town.contains(village):
            self.add_error("village", f"{village.name}不属于{town.name}，请重新选择。")
        data["place"] = village or town
        return data


def record(request):
    """The phone desk: a staff member records a letter told on the phone."""
    require(request.user, "record_letter")
    form = PhoneLetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letter = intake.submit_letter(
                channel=d["channel"],
                subject=d["subject"],
                content=d["content"],
                name=d["name"],
                phone=d["phone"],
                town_code=d["place"].code if d["place"] else None,
                address=d["address"],
                publish_consent=d["publish_consent"],
                actor=request.user,
            )
        except intake.LetterInputError as exc:
            for field, message in exc.errors.items():
                field = {"town_code": "village", "location": "address"}.get(field, field)
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"已登记，查询码 {letter.tracking_code}（已短信告知来信人）")
            if can_letter(request.user, "view_letter", letter):
                return redirect("letters_admin:detail", letter_id=letter.pk)
            return redirect("letters_admin:record")
    return render(request, "letters/admin/record.html", {"form": form})


class PolicyForm(forms.ModelForm):
    class Meta:
        from govhub.letters.models import LetterPolicy

        model = LetterPolicy
        fields = [
            "dispatch_days",
            "handle_days",
            "reply_days",
            "site_error_reply_days",
            "remind_before_days",
            "auto_dispatch_confidence",
            "intake_department",
            "supervising_department",
        ]

    def clean_auto_dispatch_confidence(self):
        v = self.cleaned_data["auto_dispatch_confidence"]
        if not 0 <= v <= 1:
            raise forms.ValidationError("请填写 0 到 1 之间的数。")
        return v


def policy(request):
    require(request.user, "manage_letter_policy")
    current = current_policy()
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        policy_admin.update_policy(
            request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
        )
        messages.success(request, "办理时限与分办设置已保存")
        return redirect("letters_admin:policy")
    return render(
        request,
        "letters/admin/policy.html",
        {"form": form, "models": RouterModel.objects.defer("blob")[:10]},
    )


@require_POST
def activate_router(request, version: int):
    policy_admin.activate_router(request.user, version)
    messages.success(request, f"已启用分办模型 v{version}")
    return redirect("letters_admin:policy")
