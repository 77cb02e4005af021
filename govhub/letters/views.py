"""Portal pages of the leader's mailbox: write, look up, rate, archive, statistics, map.
Thin: parse, call the domain function, render."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from govhub.core import ratelimit
from govhub.core.errors import FieldErrors
from govhub.letters import attachments, intake, stats
from govhub.letters.actions import LetterStateError, rate_letter
from govhub.letters.forms import LetterForm, LookupForm, RatingForm
from govhub.letters.models import Letter, Status
from govhub.portal.frames import render_framed
from govhub.ratings.views import channel_of

# The letters this browser proved it may follow (written here, or looked up with code + the
# phone's last four digits), kept in a signed cookie rather than the session: a citizen who
# writes a letter needs no session row (two statements fewer per letter at peak), and the
# cookie cannot be forged or widened without the server's key. Idle expiry as the session's.
VERIFIED_COOKIE = "gh_letters"
_VERIFIED_SALT = "govhub.letters.verified"
MAX_REMEMBERED = 20


def index(request):
    return render(
        request,
        "letters/index.html",
        {
            "recent": Letter.objects.filter(published=True).order_by("-published_at")[:8],
            "summary": stats.summary(),
        },
    )


def _form_page(request, form: LetterForm, status: int = 200) -> HttpResponse:
    html = render_framed(request, "letters/write.html", "letters/_write_body.html", {"form": form})
    return HttpResponse(html, status=status)


@require_http_methods(["GET", "POST"])
def write(request):
    """The letter form. The tracking code is rendered only from a committed letter. Both pages
    take the portal's frame from the process (``portal.frames``): a peak's letters each
    rendered the same header and footer."""
    if request.method == "GET":
        form = LetterForm(initial={"token": secrets.token_urlsafe(24)})
        return _form_page(request, form)
    form = LetterForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    token = form.cleaned_data["token"]
    already = None
    # a resubmitted form (the same token) is answered with its letter even over the limit; the
    # lookup is made only then — intake's unique key already turns a double post into one letter
    if ratelimit.over(request, "submit"):
        already = Letter.objects.filter(idempotency_key=f"portal:{token}").first()
        if already is None:
            form.add_error(
                None, "您提交得太频繁了，请 10 分钟后再试。如有紧急情况请拨打 12345 热线。"
            )
            return _form_page(request, form, status=429)
    d = form.cleaned_data
    try:
        letter = already or intake.submit_letter(
            channel="portal",
            subject=d["subject"],
            content=d["content"],
            name=d["name"],
            phone=d["phone"],
            email=d["email"],
            town_code=d["place"].code if d["place"] else None,
            category_code=d["category"].code if d["category"] else None,
            latitude=d["latitude"],
            longitude=d["longitude"],
            address=d["address"],
            publish_consent=d["publish_consent"],
            attachments=d["attachments"],
            idempotency_key=f"portal:{token}",
        )
    except intake.LetterInputError as exc:
        for field, message in exc.errors.items():
            field = LetterForm.INTAKE_FIELDS.get(field, field)
            form.add_error(field if field in form.fields else None, message)
        return _form_page(request, form, status=400)
    page = render_framed(
        request, "letters/submitted.html", "letters/_submitted_body.html", {"letter": letter}
    )
    response = HttpResponse(page)
    return _remember(request, response, letter.pk)


def _remembered(request) -> list[int]:
    raw = request.get_signed_cookie(
        VERIFIED_COOKIE, default="", salt=_VERIFIED_SALT, max_age=settings.SESSION_COOKIE_AGE
    )
    return [int(x) for x in raw.split("-") if x.isdigit()]


def _remember(request, response, letter_id: int):
    """Add the letter to the browser's signed list (and restart its idle clock)."""
    ids = [i for i in _remembered(request) if i != letter_id][-(MAX_REMEMBERED - 1) :]
    response.set_signed_cookie(
        VERIFIED_COOKIE,
        "-".join(str(i) for i in [*ids, letter_id]),
        salt=_VERIFIED_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        path="/letters/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _verified(request, letter_id: int) -> Letter:
    if letter_id not in _remembered(request):
        raise Http404
    return get_object_or_404(Letter, pk=letter_id)


@require_http_methods(["GET", "POST"])
def track(request):
    """Look a letter up with its code and the phone's last four digits (rate-limited)."""
    if request.method == "GET" and "code" not in request.GET:
        return render(request, "letters/track.html", {"form": LookupForm()})
    form = LookupForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return render(request, "letters/track.html", {"form": form}, status=400)
    if ratelimit.over(request, "lookup"):
        form.add_error(None, "查询过于频繁，请 10 分钟后再试。")
        return render(request, "letters/track.html", {"form": form}, status=429)
    letter = intake.lookup_letter(form.cleaned_data["code"], form.cleaned_data["last4"])
    if letter is None:
        form.add_error(None, "未找到对应的信件，请核对查询码和手机号后四位。")
        return render(request, "letters/track.html", {"form": form}, status=404)
    return _remember(request, redirect("letters:progress", letter_id=letter.pk), letter.pk)


def progress(request, letter_id: int):
    letter = _verified(request, letter_id)
    return _remember(request, _progress_page(request, letter, RatingForm()), letter_id)


def attachment(request, letter_id: int, attachment_id: int):
    """The citizen's own attachment, only in a session that proved code + last four digits;
    anything else is a 404 (no hint whether the letter or file exists)."""
    letter = _verified(request, letter_id)
    att = get_object_or_404(letter.attachments, pk=attachment_id)
    return attachments.download_response(att)


def _progress_page(request, letter, rating_form, status=200):
    own = letter  # the looked-up letter: its attachments, even after a merge
    while letter.status == Status.MERGED and letter.merged_into_id:
        letter = letter.merged_into
    reply = letter.replies.filter(status="approved").first()
    return render(
        request,
        "letters/progress.html",
        {
            "letter": letter,
            "events": letter.events.filter(public=True),
            "reply": reply,
            "rating_form": rating_form,
            "can_rate": letter.status == Status.REPLIED,
            "extended": letter.extensions.filter(status="approved").exists(),
            "own": own,
            "attachments": own.attachments.all(),
        },
        status=status,
    )


@require_http_methods(["POST"])
def rate(request, letter_id: int):
    letter = _verified(request, letter_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _progress_page(request, letter, form, status=400)
    try:
        rate_letter(
            letter,
            level=form.cleaned_data["level"],
            comment=form.cleaned_data["comment"],
            actor="citizen",
            channel=channel_of(request),
        )
    except FieldErrors as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _progress_page(request, letter, form, status=400)
    except LetterStateError as exc:
        form.add_error(None, str(exc))
        return _progress_page(request, letter, form, status=400)
    return redirect("letters:progress", letter_id=letter.pk)


def archive(request):
    q = (request.GET.get("q") or "").strip()[:50]
    qs = (
        Letter.objects.filter(published=True).select_related("department").order_by("-published_at")
    )
    if q:
        from govhub.core.text import search_terms

        cond = Q()
        for term in search_terms(q)[:8] or [q]:
            cond &= Q(search_text__icontains=term) | Q(public_subject__icontains=term)
        qs = qs.filter(cond)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    page_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(
        request, "letters/archive.html", {"page": page, "q": q, "page_range": list(page_range)}
    )


def archive_detail(request, letter_id: int):
    letter = get_object_or_404(Letter, pk=letter_id, published=True)
    return render(request, "letters/archive_detail.html", {"letter": letter})


def statistics(request):
    data = stats.compute()
    return render(
        request,
        "letters/stats.html",
        {
            "data": data,
            "month_chart": stats.bar_chart_svg(
                [(m["month"], m["received"], m["replied"]) for m in data["by_month"]],
                ("收信", "答复"),
            ),
        },
    )


def open_map(request):
    """Open problems on a map (when the county has a tile server) and as a list by town."""
    from govhub.letters import geo

    tile_url = getattr(settings, "MAP_TILE_URL", None) or ""
    return render(
        request,
        "letters/map.html",
        {
            "towns": geo.open_by_town(),
            "points": geo.open_points() if tile_url else [],
            "tile_url": tile_url,
            "attribution": getattr(settings, "MAP_ATTRIBUTION", "") or "",
        },
    )
