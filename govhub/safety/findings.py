"""What a check found (``Finding``), its kinds and their labels.

Moved here from ``publishing.checks`` so every layer that checks text (publishing, channel
adapters, the matrix, participation) shares one type without importing publishing.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

BLOCKING = "blocking"
WARNING = "warning"
SEVERITY_LABELS = {BLOCKING: "阻断", WARNING: "提醒"}

CODE_LABELS = {
    # personal data (泄露个人信息)
    "id_number": "身份证号码",
    "mobile": "手机号码",
    "bank_card": "银行卡号",
    "address": "家庭住址",
    "person_name": "与证件号同现的姓名",
    # serious wording errors (严重表述错误)
    "state_name": "国家名称错误",
    "institution_name": "机构名称错误",
    "place_name": "地名错误",
    "leader_name": "领导人姓名错误",
    "leader_title": "领导人职务错误",
    "outdated_name": "过时的机构名称",
    "political": "政治性表述错误",
    "fixed_phrase": "规范表述错误",
    # wording and typos
    "wrong_expression": "错误表述",
    "typo": "疑似错别字",
    "wrong_word": "疑似用词不当",
    "traditional": "繁体字",
    "forbidden_term": "禁用词",
    "sensitive_term": "敏感词",
    # links
    "dead_link": "失效的站内链接",
    "external_link": "外部链接无法打开",
    "blocked_link": "链接指向被屏蔽的网站",
    # publication-level checks kept by publishing
    "image_alt": "图片缺少替代文字",
    "channel_limit": "渠道限制",
    "unsafe_html": "不安全的 HTML",
    "attachment": "附件",
    "missing_cover": "缺少封面",
    "credential": "渠道凭据",
}

PERSONAL_CODES = frozenset({"id_number", "mobile", "bank_card", "address", "person_name"})
SERIOUS_CODES = frozenset(
    {
        "state_name",
        "institution_name",
        "place_name",
        "leader_name",
        "leader_title",
        "outdated_name",
        "political",
        "fixed_phrase",
        "forbidden_term",
    }
)
LINK_CODES = frozenset({"dead_link", "external_link", "blocked_link"})

DEFAULT_SEVERITY = {
    "id_number": BLOCKING,
    "mobile": BLOCKING,
    "bank_card": BLOCKING,
    "address": BLOCKING,
    "person_name": BLOCKING,
    "state_name": BLOCKING,
    "institution_name": BLOCKING,
    "place_name": BLOCKING,
    "leader_name": BLOCKING,
    "leader_title": BLOCKING,
    "outdated_name": BLOCKING,
    "political": BLOCKING,
    "fixed_phrase": BLOCKING,
    "wrong_expression": WARNING,
    "typo": WARNING,
    "wrong_word": WARNING,
    "traditional": WARNING,
    "forbidden_term": BLOCKING,
    "sensitive_term": WARNING,
    "dead_link": WARNING,
    "external_link": WARNING,
    "blocked_link": BLOCKING,
    "image_alt": WARNING,
    "channel_limit": BLOCKING,
    "unsafe_html": WARNING,
    "attachment": BLOCKING,
    "missing_cover": BLOCKING,
    "credential": WARNING,
}


def kind_of(code: str) -> str:
    """The inspection's grouping of a code: 泄露个人信息 / 严重表述错误 / 错别字 / 链接 / 其他."""
    if code in PERSONAL_CODES:
        return "personal"
    if code in SERIOUS_CODES:
        return "serious"
    if code in {"typo", "wrong_word", "wrong_expression", "traditional"}:
        return "wording"
    if code in LINK_CODES:
        return "link"
    return "other"


@dataclass(frozen=True)
class Finding:
    """One thing a check found; ``start``/``end`` index the checked (plain) text."""

    code: str
    severity: str
    message: str
    start: int = 0
    end: int = 0
    excerpt: str = ""
    suggestion: str = ""
    where: str = ""  # which part of a piece (标题, 正文, 附件 …) the positions index

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    @property
    def personal(self) -> bool:
        return self.code in PERSONAL_CODES

    @property
    def serious(self) -> bool:
        return self.code in SERIOUS_CODES

    @property
    def kind(self) -> str:
        return kind_of(self.code)

    @property
    def label(self) -> str:
        return CODE_LABELS.get(self.code, self.code)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def fingerprint(self) -> str:
        """Stable identity of a finding for overrides (the raw value never stored)."""
        raw = f"{self.code}|{self.start}|{self.end}|{self.message}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def with_severity(self, severity: str) -> Finding:
        from dataclasses import replace

        return replace(self, severity=severity)

    def as_dict(self) -> dict:
        return asdict(self) | {
            "label": self.label,
            "fingerprint": self.fingerprint,
            "severity_label": self.severity_label,
        }
