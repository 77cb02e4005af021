"""The audit log as an official reads it: each action by its Chinese name, each detail as
「名称：值」 with stored codes shown by their labels, objects by their kind, people by name.

The chain keeps the codes (``letter_dispatched``, ``{"from": "received"}``): they are what the
hash covers and what scripts filter on. This module only renders them. An app adding an action
names it here with :func:`register_action_label` (or in ACTION_LABELS below); an action nobody
named is still shown in Chinese, composed from its parts (``letter_…`` → 信件…).
"""

from __future__ import annotations

import re
from functools import cache

ACTION_LABELS: dict[str, str] = {
    # organisation
    "department_created": "新建部门",
    "department_updated": "修改部门",
    "staff_created": "新建人员账号",
    "role_assigned": "分配岗位",
    "role_revoked": "撤销岗位",
    "workday_override_set": "调整工作日",
    "workday_override_removed": "删除工作日调整",
    "permission_denied": "越权操作被拒绝",
    "pii_rotate": "更换个人信息密钥",
    "portal_error_reported": "网民报告网页错误",
    # logins
    "login_succeeded": "登录成功",
    "login_failed": "登录失败",
    "login_locked_out": "账号因多次登录失败被锁定",
    "logged_out": "退出登录",
    "twofactor_enrolled": "设置双因素认证",
    "twofactor_verified": "双因素认证通过",
    "twofactor_failed": "双因素验证码错误",
    "twofactor_throttled": "双因素验证失败次数过多，暂停验证",
    "twofactor_reset": "重置双因素认证",
    "webauthn_registered": "登记安全密钥",
    "webauthn_removed": "移除安全密钥",
    "webauthn_verified": "安全密钥验证通过",
    "webauthn_failed": "安全密钥验证失败",
    # publishing
    "publication_created": "新建稿件",
    "publication_edited": "修改稿件",
    "publication_submitted": "送审",
    "publication_approved": "审核通过",
    "publication_sent_back": "退回修改",
    "publication_rejected": "不予发布",
    "publication_published": "发布稿件",
    "publication_withdrawn": "撤回稿件",
    "publication_video_attached": "添加视频",
    "publication_video_caption": "修改视频字幕",
    "publication_video_removed": "删除视频",
    "check_overridden": "放行发布前检查",
    "attachment_added": "添加附件",
    "delivery_sent": "渠道发送成功",
    "delivery_retried": "渠道重新发送",
    "delivery_gave_up": "渠道发送放弃",
    "delivery_withdrawn": "渠道撤回",
    "delivery_published_by_hand": "手工发布到渠道",
    # letters
    "letter_received": "收到来信",
    "letter_dispatched": "分办",
    "letter_accepted": "签收",
    "letter_returned": "退回分办",
    "letter_reply_drafted": "起草答复",
    "letter_reply_submitted": "答复送审",
    "letter_reply_sent_back": "答复退回修改",
    "letter_replied": "答复来信人",
    "letter_rated": "来信人评价",
    "letter_published": "公开信件",
    "letter_unpublished": "取消公开信件",
    "letter_reopened": "重新办理",
    "letter_closed": "办结",
    "letter_merged": "合并重复来信",
    "letter_marked_invalid": "标为无效来信",
    "letter_extension_requested": "申请延期",
    "letter_extension_decided": "审批延期",
    "letter_attachment_downloaded": "下载来信附件",
    "letter_policy_changed": "修改办理时限与分办规则",
    "letter_route_saved": "保存分办规则",
    "letter_category_saved": "保存信件类别",
    "letter_router_activated": "启用自动分办模型",
    "letter_remind": "催办",
    "letter_escalate": "督办",
    # answers, WeChat, the inbox
    "qa_rule_saved": "保存关键词规则",
    "qa_entry_saved": "保存知识库条目",
    "qa_deleted": "删除问答",
    "qa_imported": "导入问答",
    "wechat_settings_saved": "保存公众号设置",
    "wechat_menu_saved": "保存公众号菜单",
    "wechat_menu_published": "发布公众号菜单",
    "inbox_assigned": "分派留言",
    "inbox_replied": "回复留言",
    "inbox_spam": "标为垃圾留言",
    "inbox_to_letter": "留言转为来信",
    # content safety
    "safety_term_saved": "保存错敏词",
    "safety_term_deleted": "删除错敏词",
    "safety_terms_imported": "导入错敏词",
    "safety_leader_saved": "保存领导人姓名职务",
    "safety_leaders_imported": "导入领导人姓名职务",
    # supervision
    "matrix_account_created": "新增账号",
    "matrix_account_updated": "修改账号",
    "matrix_accounts_imported": "导入账号台账",
    "matrix_thresholds_changed": "修改巡检阈值",
    "matrix_seen_imported": "导入疑似账号",
    "matrix_seen_decided": "认定疑似账号",
    "matrix_rectification_issued": "下发整改通知",
    "matrix_inspection_queued": "启动全面检查",
    "participation_board_column_saved": "保存留言板栏目",
    "matrix_rectification_answered": "反馈整改",
    "matrix_rectification_returned": "退回整改反馈",
    "matrix_rectification_closed": "整改销号",
    "matrix_posts_imported": "导入账号文章",
    "matrix_stats_imported": "导入账号数据",
    "analytics_scheme_saved": "保存考核方案",
    "matrix_account_linked": "关联平台对接账号",
    # participation
    "consultation_create": "新建征求意见",
    "consultation_edit": "修改征求意见",
    "consultation_publish": "发布征求意见",
    "consultation_report": "发布采纳情况反馈",
    "comment_submit": "提交意见",
    "comment_approve": "审核通过意见",
    "comment_adoption": "标注意见采纳情况",
    "post_submit": "网民留言",
    "post_approve": "审核通过留言",
    "post_answer": "答复留言",
    "post_takedown": "撤下留言",
    "post_to_letter": "留言转为来信",
    "survey_create": "新建调查",
    "survey_publish": "发布调查",
    "survey_results": "设置调查结果是否公开",
    "survey_edit": "修改调查（题目有版本）",
    "survey_response_flagged": "同一地址答卷较多，标记待核查",
    "survey_responses_reviewed": "核查被标记的答卷",
    "interview_create": "新建在线访谈",
    "interview_edit": "修改在线访谈",
    "interview_schedule": "发布访谈预告",
    "interview_start": "开始在线访谈",
    "interview_end": "结束在线访谈",
    "interview_transcript": "发布访谈文字实录",
    "interview_ask": "网友向访谈嘉宾提问",
    "interview_question_approve": "审核通过访谈提问",
    "interview_question_reject": "退回访谈提问",
    "interview_entry": "发布访谈答复",
    # services
    "service_guide_saved": "保存办事指南",
    "service_guide_deleted": "删除办事指南",
    "query_connector_saved": "保存查询接口",
    "query_connector_deleted": "删除查询接口",
    "service_rated": "服务评价",
    "bad_rating_closed": "差评整改办结",
    "image_uploaded": "上传图片",
    "search_synonyms_saved": "保存搜索同义词",
    "search_synonyms_deleted": "删除搜索同义词",
    "appointment_slots_published": "发布预约时段",
    "appointment_booked": "预约办事",
    "appointment_cancelled": "取消预约",
    "appointment_attendance": "登记到场情况",
    "created": "新建",
    "updated": "修改",
    "imported": "导入",
}

# the object an action's first word names, and what its last words do
_SUBJECTS = {
    "consultation": "征求意见",
    "comment": "意见",
    "post": "留言",
    "survey": "调查",
    "interview": "在线访谈",
    "service": "办事指南",
    "query": "查询接口",
    "login": "登录",
    "department": "部门",
    "staff": "人员",
    "role": "岗位",
    "publication": "稿件",
    "delivery": "渠道发送",
    "letter": "信件",
    "qa": "问答",
    "wechat": "公众号",
    "inbox": "留言",
    "safety": "错敏词库",
    "matrix": "账号台账",
    "analytics": "统计分析",
    "portal": "门户网站",
    "workday": "工作日",
}
_VERBS = {
    "created": "新建",
    "updated": "修改",
    "edited": "修改",
    "saved": "保存",
    "deleted": "删除",
    "removed": "删除",
    "imported": "导入",
    "changed": "修改",
    "published": "发布",
    "withdrawn": "撤回",
    "sent": "发送",
    "decided": "决定",
}

KEY_LABELS: dict[str, str] = {
    "title": "标题",
    "from": "原状态",
    "to": "新状态",
    "department": "部门",
    "channel": "来源渠道",
    "attachments": "附件数",
    "attachment": "附件",
    "reply": "答复",
    "co": "协办部门",
    "auto": "自动分办",
    "code": "编码",
    "parent": "上级部门",
    "satisfaction": "满意度",
    "user": "人员",
    "role": "岗位",
    "username": "登录名",
    "step": "审核步骤",
    "category": "类别",
    "town": "乡镇",
    "days": "天数",
    "final": "最后一步",
    "account": "账号",
    "extension": "延期申请",
    "start": "开始",
    "end": "结束",
    "kind": "类型",
    "platform": "平台",
    "attempted": "试图执行",
    "term": "词语",
    "enabled": "启用",
    "remote_id": "平台回执编号",
    "attempt": "第几次尝试",
    "attempts": "尝试次数",
    "into": "并入信件",
    "number": "编号",
    "auto_dispatch_confidence": "自动分办置信度",
    "approved": "同意",
    "deadline": "期限",
    "deliveries": "渠道数",
    "intake_department": "受理部门",
    "supervising_department": "督办部门",
    "reason": "原因",
    "weights": "权重",
    "before": "修改前",
    "after": "修改后",
    "date": "日期",
    "working": "上班",
    "note": "备注",
    "letter": "信件",
    "rows": "行数",
    "rejected": "未通过",
    "added": "新增",
    "updated": "更新",
    "created": "新建",
    "status": "状态",
    "stage": "阶段",
    "version": "版本",
    "via": "途径",
    "key": "键",
    "model": "模型",
    "format": "格式",
    "file": "文件",
    "fields": "字段",
    "seconds": "秒数",
    "buttons": "按钮数",
    "assignee": "承办人",
    "alerts": "预警数",
    "complete": "完成",
    "bytes": "字节数",
    "on_time_reply_rate": "按时答复率",
    "update_frequency": "更新频率",
    "influence": "影响力",
    "inspection_faults": "巡检问题",
    "short_name": "简称",
    "name": "名称",
    "phone": "电话",
    "address": "地址",
    "duties": "职责",
    "is_active": "启用",
    "level": "层级",
    "public": "公开",
    "column": "栏目",
    "findings": "检查发现问题数",
    "comments": "意见数",
    "adoption": "采纳情况",
    "consultation": "征求意见",
    "answer": "答复",
    "opens_at": "开始时间",
    "closes_at": "截止时间",
    "period_days": "期限（天）",
    "endpoint": "接口地址",
    "question": "问题",
    "survey": "调查",
    "post": "留言",
    "guide": "办事指南",
    "connector": "查询接口",
    "rating": "评价",
    "score": "得分",
    "count": "数量",
    "slug": "标识",
    "url": "网址",
    "interview": "在线访谈",
    "entry": "实录条目",
    "notices": "通知数",
    "questions_changed": "题目有修改",
    "response": "答卷",
    "responses": "答卷数",
    "recent_from_address": "同一地址近一小时答卷数",
    "accepted": "计入结果",
    "purpose": "用途",
    "by": "计数对象",
}
# the second factor's records: what an attempt was for, and what its throttle counted
DETAIL_VALUES: dict[str, dict[str, str]] = {
    "purpose": {
        "verify": "登录验证",
        "remove_key": "移除安全密钥",
        "confirm": "确认移除安全密钥",
        "key_verify": "用安全密钥登录验证",
        "key_confirm": "用安全密钥确认移除",
    },
    "by": {"account": "同一账号", "address": "同一网络地址"},
}
ACTORS = {"system": "系统", "anonymous": "匿名访客", "citizen": "来信群众"}


def register_action_label(code: str, label: str) -> None:
    """An app names an audit action of its own."""
    ACTION_LABELS[code] = label


def action_label(code: str) -> str:
    """The Chinese name of an audit action code."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    if code.startswith("wagtail:"):
        from wagtail.log_actions import registry

        name = code.removeprefix("wagtail:")
        if registry.action_exists(name):
            return "页面：" + str(registry.get_action_label(name))
        return "页面：其他操作"
    parts = re.split(r"[_.]", code)
    subject = _SUBJECTS.get(parts[0], "")
    verb = _VERBS.get(parts[-1], "")
    if subject or verb:
        return (verb + subject) or "其他操作"
    return "其他操作"


@cache
def _choice_labels() -> dict[str, str]:
    """Every stored choice value of every installed model → its label (received → 已收到)."""
    from django.apps import apps

    labels: dict[str, str] = {}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and value and str(label) != value:
                    labels.setdefault(value, str(label))
    from govhub.core.permissions import ACTIONS

    for name, spec in ACTIONS.items():
        labels.setdefault(name, spec.label)
    return labels


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _moment(value: str) -> str | None:
    """An ISO timestamp as the county reads it (local time, to the minute)."""
    import datetime as dt

    from django.utils import timezone

    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(at):
        return f"{at:%Y-%m-%d %H:%M}"
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _channel_account(value: str) -> str | None:
    """A channel account's slug (shifan-weibo) as its name. Looked up by name, not imported:
    core sits below channels."""
    from django.apps import apps

    try:
        model = apps.get_model("channels", "ChannelAccount")
    except LookupError:
        return None
    return model.objects.filter(slug=value).values_list("name", flat=True).first()


def value_text(value) -> str:
    """One stored detail as text: codes by their labels, yes/no, lists and nested details."""
    if value is None or value == "None" or value == "":
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value) or "无"
    if isinstance(value, dict):
        return "；".join(f"{KEY_LABELS.get(k, k)}：{value_text(v)}" for k, v in value.items())
    if isinstance(value, str):
        labels = _choice_labels()
        if value in labels:
            return labels[value]
        head, sep, rest = value.partition(":")
        if sep and head in labels:  # a platform's receipt such as email:e83e…
            return f"{labels[head]} {rest}"
        if _ISO_MOMENT.match(value):
            return _moment(value) or value
        if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", value):
            return _channel_account(value) or value
    return str(value)


DEPARTMENT_KEYS = {"department", "parent", "co", "intake_department", "supervising_department"}


def _department_name(value) -> str | None:
    from govhub.core.models import Department

    lookup = {"pk": value} if isinstance(value, int) else {"code": value}
    if not isinstance(value, int | str) or isinstance(value, bool):
        return None
    dept = Department.objects.filter(**lookup).only("name").first()
    return dept.name if dept else None


def _user_name(value) -> str | None:
    from django.contrib.auth import get_user_model

    if not isinstance(value, int) or isinstance(value, bool):
        return None
    user = get_user_model().objects.filter(pk=value).only("first_name", "username").first()
    return (user.first_name or user.username) if user else None


# a piece's fields as the editor's form names them (the "fields" detail of an edit)
FIELD_LABELS = {
    "title": "标题",
    "digest": "摘要",
    "body": "正文",
    "cover": "封面",
    "column": "门户栏目",
    "images": "图片",
    "targets": "发布渠道",
    "scheduled_at": "定时发布时间",
    "department": "部门",
    "author_name": "作者",
    "source": "来源",
    "video": "视频",
    "caption": "视频字幕",
    "policy": "审核流程",
}


def _detail_value(key: str, value) -> str:
    if key == "remote_id":
        # the platform's own receipt number (urn:…, page:…) is for machines; the piece's
        # delivery page shows where it went
        return "已记录（见稿件的发布记录）"
    if key == "fields" and value:
        names = value if isinstance(value, list | tuple) else str(value).split(",")
        return "、".join(
            FIELD_LABELS.get(str(v).strip(), KEY_LABELS.get(str(v).strip(), "其他字段"))
            for v in names
        )
    if key in DEPARTMENT_KEYS:
        values = value if isinstance(value, list) else [value]
        names = [_department_name(v) for v in values]
        if values and all(names):
            return "、".join(names)
    if isinstance(value, str) and value in DETAIL_VALUES.get(key, {}):
        return DETAIL_VALUES[key][value]
    if key in {"user", "assignee"}:
        name = _user_name(value)
        if name:
            return name
    return value_text(value)


def details(summary) -> list[tuple[str, str]]:
    """(名称, 值) pairs of a record's summary."""
    if not isinstance(summary, dict):
        return [("", value_text(summary))] if summary not in (None, "", [], {}) else []
    return [(KEY_LABELS.get(k, k), _detail_value(k, v)) for k, v in summary.items()]


@cache
def object_kind(object_type: str) -> str:
    """``letters.letter`` → 信件; Wagtail's ``wagtail.articlepage`` → its page type's name."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    if not object_type:
        return ""
    model = None
    if "." in object_type:
        app_label, name = object_type.split(".", 1)
        try:
            model = apps.get_model(app_label, name)
        except LookupError:
            ct = ContentType.objects.filter(model=name).first()
            model = ct.model_class() if ct else None
    if model is None:
        return "其他对象" if re.search(r"[A-Za-z]", object_type) else object_type
    return str(model._meta.verbose_name)


def actor_text(record, names: dict[int, str]) -> str:
    """The person's name and login (王晓燕（editor）), or 系统 / 匿名访客."""
    if record.actor_id and record.actor_id in names:
        name = names[record.actor_id]
        return f"{name}（{record.actor}）" if name and name != record.actor else record.actor
    return ACTORS.get(record.actor, record.actor)
