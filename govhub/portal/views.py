"""Portal views: serving (published file or live), search, mode switches, robots, 找错."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from wagtail.views import serve as wagtail_serve

from govhub.core import ratelimit, site_search
from govhub.core.text import to_traditional
from govhub.portal import address, publish, search
from govhub.portal.forms import ErrorReportForm
from govhub.portal.models import ColumnPage, DocType

ELDER_COOKIE = "gh_elder"
SCRIPT_COOKIE = "gh_script"
COOKIE_AGE = 365 * 24 * 3600
FEED_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
}


def variant_of(request: HttpRequest) -> str:
    """The published variant a visitor's cookies choose (publish.VARIANTS; "" = standard)."""
    elder = request.COOKIES.get(ELDER_COOKIE) == "1"
    hant = request.COOKIES.get(SCRIPT_COOKIE) == "hant"
    return "-".join(name for name, on in (("elder", elder), ("hant", hant)) if on)


def apply_script(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Convert an HTML response to traditional characters when the visitor chose 繁."""
    if request.COOKIES.get(SCRIPT_COOKIE) != "hant":
        return response
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        response.content = to_traditional(response.content.decode("utf-8")).encode("utf-8")
    return response


def render_live(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's routing and rendering, unchanged (used for staff, variants and publishing)."""
    return wagtail_serve(request, path)


def serve_page(request: HttpRequest, path: str) -> HttpResponse:
    """Anonymous GETs get the file written at publish time in their variant (standard, 长者模式,
    繁體, both); everyone else (staff, query strings, pages not published) gets the live page."""
    if (
        request.method in ("GET", "HEAD")
        and not request.GET
        and not request.user.is_authenticated
        and publish.files_current()
    ):
        target = publish.file_for(request.path, variant_of(request))
        if target is not None and target.is_file():
            ctype = FEED_TYPES.get(target.name, "text/html; charset=utf-8")
            response = FileResponse(target.open("rb"), content_type=ctype)
            response["X-Govhub-Published"] = "1"
            return response
    response = render_live(request, path)
    if request.user.is_authenticated:
        response["Cache-Control"] = "private, no-store"
    return apply_script(request, response)


def _safe_next(request: HttpRequest) -> str:
    nxt = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return "/"
    return nxt


@require_GET
def set_mode(request: HttpRequest, mode: str) -> HttpResponse:
    """/mode/elder/ and /mode/standard/: a plain link, so it works without JavaScript."""
    response = HttpResponseRedirect(_safe_next(request))
    if mode == "elder":
        response.set_cookie(ELDER_COOKIE, "1", max_age=COOKIE_AGE, samesite="Lax")
    else:
        response.delete_cookie(ELDER_COOKIE)
    return response


@require_GET
def set_script(request: HttpRequest, script: str) -> HttpResponse:
    """/script/hant/ and /script/hans/: 简/繁 switch remembered in a cookie."""
    response = HttpResponseRedirect(_safe_next(request))
    if script == "hant":
        response.set_cookie(SCRIPT_COOKIE, "hant", max_age=COOKIE_AGE, samesite="Lax")
    else:
        response.delete_cookie(SCRIPT_COOKIE)
    return response


def _parse_date(value: str, label: str, messages: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        messages.append(f"{label}格式不正确（应为 2025-01-31 这样的日期），已忽略。")
        return None


def _parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """站内搜索: relevance-ranked, highlighted, filtered and paged; bad input is explained."""
    from govhub.core.models import Department

    params = request.GET
    notes: list[str] = []
    page_raw = params.get("page", "1")
    page_no = _parse_int(page_raw)
    if page_no is None or page_no < 1 or page_no > search.MAX_PAGE:
        if page_raw not in ("", "1"):
            notes.append("页码不正确，已显示第 1 页。")
        page_no = 1
    column_id = _parse_int(params.get("column"))
    column = ColumnPage.objects.live().filter(pk=column_id).first() if column_id else None
    dept_id = _parse_int(params.get("department"))
    doc_type = params.get("type", "")
    if doc_type and doc_type not in DocType.values:
        notes.append("文种选择不正确，已忽略。")
        doc_type = ""
    filters = search.Filters(
        column_path=column.path if column else "",
        department_id=dept_id,
        date_from=_parse_date(params.get("from", ""), "起始日期", notes),
        date_to=_parse_date(params.get("to", ""), "截止日期", notes),
        doc_type=doc_type,
    )
    raw = params.get("q", "")
    exact = params.get("exact") == "1"  # 仍然搜索: the words as typed, not put right
    result = search.search(raw, filters, page_no, understand=not exact) if raw.strip() else None
    if result and result.total and page_no > max(result.pages, 1):
        notes.append("没有这一页，已显示第 1 页。")
        result = search.search(raw, filters, 1, understand=not exact)
    if raw and not raw.strip():
        notes.append("请输入要搜索的内容。")
    # 办事指南 and other registered kinds, beside the articles (first page only)
    sections = site_search.sections_for(result.query) if result and page_no == 1 else []
    home_columns = ColumnPage.objects.live().filter(depth__lte=4).order_by("path")
    departments = (
        Department.objects.filter(portal_articles__isnull=False).distinct().order_by("path")
    )
    context = {
        "result": result,
        "sections": sections,
        # the search box keeps what was typed (pinyin, a near miss), not what was searched
        "raw_query": (
            (result.pinyin or result.original or result.query)
            if result
            else raw.strip()[: search.MAX_QUERY_CHARS]
        ),
        "notes": notes + (result.messages if result else []),
        "columns": home_columns,
        "departments": departments,
        "doc_types": DocType.choices,
        "selected": {
            "column": column.pk if column else None,
            "department": dept_id,
            "type": doc_type,
            "from": filters.date_from.isoformat() if filters.date_from else "",
            "to": filters.date_to.isoformat() if filters.date_to else "",
        },
        "page_range": _page_range(result.page, result.pages) if result else [],
        "querystring_base": _querystring_without_page(request),
    }
    response = render(request, "portal/search.html", context)
    return apply_script(request, response)


def _page_range(current: int, total: int) -> list[int]:
    lo, hi = max(1, current - 4), min(total, current + 4)
    return list(range(lo, hi + 1))


def _querystring_without_page(request: HttpRequest) -> str:
    """The filters for the pager's links; the query only as far as it was searched (a
    5,000-character query must not be repeated in every link)."""
    q = request.GET.copy()
    q.pop("page", None)
    if "q" in q:
        q["q"] = q["q"][: search.MAX_QUERY_CHARS]
    return q.urlencode()


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        "Disallow: /mode/",
        "Disallow: /script/",
        f"Sitemap: {address.absolute('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def site_map(request: HttpRequest) -> HttpResponse:
    """网站地图 for people: every column, catalogue category and 专题, and the interactive
    services (sitemap.xml stays for search engines, named in robots.txt)."""
    from govhub.portal import queries

    response = render(request, "portal/site_map.html", queries.site_map())
    return apply_script(request, response)


_FAVICON = Path(__file__).resolve().parent / "static" / "portal" / "favicon.ico"


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on their own."""
    response = FileResponse(_FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


def site_rss(request: HttpRequest) -> HttpResponse:
    from govhub.portal.feeds import SiteRssFeed

    return SiteRssFeed()(request)


def site_atom(request: HttpRequest) -> HttpResponse:
    from govhub.portal.feeds import SiteAtomFeed

    return SiteAtomFeed()(request)


def report_error(request: HttpRequest) -> HttpResponse:
    """我为政府网站找错: the form and its confirmation."""
    from govhub.portal import reports

    done = None
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        if form.is_valid() and ratelimit.over(request, "report-error"):
            # refused, but what was typed stays in the form
            form.add_error(None, ratelimit.MESSAGE)
            response = render(request, "portal/report_error.html", {"form": form}, status=429)
            return apply_script(request, response)
        if form.is_valid():
            try:
                done = reports.submit_error_report(**form.cleaned_data)
            except reports.ReportInputError as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                form = ErrorReportForm()
    else:
        form = ErrorReportForm(initial={"page_url": request.GET.get("url", "")[:500]})
    response = render(request, "portal/report_error.html", {"form": form, "done": done})
    return apply_script(request, response)
