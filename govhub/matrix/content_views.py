"""The sentence a content finding is about: the post or portal page with the finding marked."""

from __future__ import annotations

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from govhub.core.permissions import can
from govhub.matrix import content_sweep
from govhub.matrix.models import Finding, Post
from govhub.safety.checker import current_checker
from govhub.safety.panel import annotate


def finding_source(request, pk: int):
    finding = get_object_or_404(Finding.objects.select_related("account", "department"), pk=pk)
    if not can(request.user, "view_supervision", finding.account or finding.department):
        raise PermissionDenied("无权查看检查结果")
    ref = content_sweep.parse_ref(finding.ref)
    if ref is None:
        raise Http404("该检查结果没有对应的原文")
    kind, obj_pk, start, end = ref
    public_url = ""
    if kind == "post":
        post = get_object_or_404(Post, pk=obj_pk)
        title, text = post.title, content_sweep.post_text(post.title, post.text)
        public_url = post.url
    else:
        from wagtail.models import Page

        page = get_object_or_404(Page, pk=obj_pk).specific
        title, text = page.title, content_sweep.page_text(page)
        sentence = content_sweep.sentence_of(text, start, end)
        # a text fragment link scrolls the reader's browser to the very sentence
        public_url = (page.full_url or "") + "#:~:text=" + quote(sentence[:60])
    found = [f for f in current_checker().check(text) if f.personal or f.serious]
    target = [f for f in found if (f.start, f.end) == (start, end)]
    if not can(request.user, "view_personal_data"):
        from govhub.core.pii import redact_text

        masked = redact_text(text)
        text = masked if len(masked) == len(text) else text
    marked = annotate(text, found)
    return render(
        request,
        "matrix/content_source.html",
        {
            "finding": finding,
            "title": title,
            "marked": marked,
            "target": target[0] if target else None,
            "start": start,
            "end": end,
            "public_url": public_url,
            "page_title": "问题原文",
        },
    )
