"""The findings panel of a piece: each checked part's text with its findings marked in place."""

from __future__ import annotations

from django import template

from govhub.safety.panel import annotate
from govhub.safety.text import html_to_text

register = template.Library()

PARTS = (("title", "标题"), ("digest", "摘要"), ("short_text", "微博文字"))


@register.inclusion_tag("publishing/admin/_findings.html")
def findings_panel(pub, findings, overridden, can_override, overridable):
    numbers = {f.fingerprint: i for i, f in enumerate(findings, start=1)}
    texts = {label: getattr(pub, field) or "" for field, label in PARTS}
    texts["正文"] = html_to_text(pub.body or "")
    if pub.pk:
        for att in pub.attachments.all():
            texts[f"附件 {att.name}"] = att.extracted_text or ""
    parts = []
    for where, text in texts.items():
        mine = [f for f in findings if f.where == where and f.end > f.start]
        if mine:
            parts.append({"where": where, "marked": annotate(text, mine, numbers=numbers)})
    rows = [
        {
            "n": numbers[f.fingerprint],
            "f": f,
            "overridden": f.fingerprint in overridden,
            "can_override": can_override
            and f.blocking
            and f.code in overridable
            and f.fingerprint not in overridden,
        }
        for f in findings
    ]
    return {"pub": pub, "parts": parts, "rows": rows}


@register.filter
def event_text(message: str) -> str:
    """A delivery log line for staff: without the platform's internal number (平台编号 …)."""
    import re

    return re.sub(r"（平台编号 [^）]*）", "", message or "")
