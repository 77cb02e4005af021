"""好差评 (国办发〔2019〕51号): one rating per service event, five levels; a 差评 becomes a
call-back task (差评回访整改) of the responsible department, due in working days.

Shared by every app that serves citizens (services, letters, the answers engine, the inbox), so
it lives low in the import graph: it imports core only. A rating names its target by type and id
and keeps the name and department it had when rated; apps register how to find their targets
(``govhub.ratings.targets``), the ratings app never imports them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.core.models import Department
from govhub.core.pii import EncryptedTextField, Grade


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


class RatingTarget(models.TextChoices):
    GUIDE = "guide", "办事指南"
    QUERY = "query", "微查询"
    BOOKING = "booking", "预约办事"
    LETTER = "letter", "信件答复"
    ANSWER = "answer", "智能问答"
    INBOX = "inbox", "留言回复"


class Rating(models.Model):
    """好差评: one rating of one service event (一事一评)."""

    target_type = models.CharField(_("评价对象"), max_length=10, choices=RatingTarget.choices)
    target_id = models.PositiveIntegerField(_("对象编号"))
    target_name = models.CharField(_("服务名称"), max_length=120)
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    event_key = models.CharField(max_length=64, editable=False)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    contact = EncryptedTextField(_("联系电话"), blank=True)
    channel = models.CharField(_("渠道"), max_length=10, default="web")
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event_key"], name="rating_one_per_event"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="rating_target")]

    def __str__(self) -> str:
        return f"{self.target_name}：{self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level <= RatingLevel.DISSATISFIED


class CallbackTask(models.Model):
    """差评回访整改: a bad rating called back and put right within working days."""

    class Status(models.TextChoices):
        OPEN = "open", "待回访"
        DONE = "done", "已整改"

    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.CASCADE, related_name="callback"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    # the call-back record (回访及整改情况) repeats what the citizen said, often with a phone
    # number: encrypted at rest, masked for roles without ``view_personal_data``
    result = EncryptedTextField(_("回访及整改情况"), grade=Grade.INTERNAL, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("差评回访")
        verbose_name_plural = _("差评回访")
        ordering = ["status", "due_date"]

    def __str__(self) -> str:
        return f"回访：{self.rating.target_name}"


class CallbackReminder(models.Model):
    """A 催办 or 督办 sent for one call-back deadline; unique, so a job run twice notifies once."""

    class Kind(models.TextChoices):
        REMIND = "remind", "催办"
        ESCALATE = "escalate", "督办"

    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deadline = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "deadline"], name="callback_reminder_unique"
            )
        ]
