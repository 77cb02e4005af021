"""``finding.ref`` → the page showing the exact sentence (content sweep findings only)."""

from django import template
from django.urls import reverse

from govhub.matrix.content_sweep import parse_ref

register = template.Library()


@register.filter
def sentence_url(finding) -> str:
    return reverse("matrix_finding_source", args=[finding.pk]) if parse_ref(finding.ref) else ""
