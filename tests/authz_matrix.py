"""The authorization matrix: every role × every staff URL (admin/ patterns, ids of objects of
their own and of other departments), every API operation (read and write) and Wagtail's page
actions, with the expected outcome taken from the policy (core.permissions and the apps' policy
functions built on it). Shared by tests/core/test_authz_matrix.py (sampled) and bench/authz.py
(everything).

How a leak is seen, whatever the page: before the walk every unpublished letter, every draft
publication (its deliveries show its title) and every letter attachment is marked with a canary
(◆L12◆, ◆P7◆, ◆A3◆) in its subject, title or file name; every citizen's phone is known. After
each response, every canary in it must belong to an object the role may see, and no phone of a
citizen whose letters the role may not see in clear may appear. Writes: the marked objects and
the portal pages are fingerprinted before and after each POST/PUT/PATCH/DELETE of a role that
holds no right on them; a change is a leak too. Any 5xx is a failure.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

CANARY = re.compile(r"◆([LPA])(\d+)◆")
# role label → demo login (rsj_reviewer reviews the 人社局's replies: a bureau's reviewer)
ROLES = {
    "editor": "editor",
    "reviewer": "reviewer",
    "signer": "signer",
    "dispatcher": "dispatcher",
    "handler": "handler",
    "bureau-reviewer": "rsj_reviewer",
    "supervisor": "supervisor",
    "admin": "admin",
}
PAGE_ACTIONS = ("edit", "delete", "unpublish", "move", "copy", "revisions", "lock", "privacy")
# an admin/ URL whose path names one of these takes ids of that kind (first int argument)
KIND_WORDS = [
    ("/files/", "A"),
    ("/photos/", "A"),
    ("letters/", "L"),
    ("publishing/", "P"),
    ("pages/", "G"),
    ("revisions/", "G"),
]
# an API path parameter named like these takes ids of that kind
PARAM_KINDS = {"letter_id": "L", "pub_id": "P", "publication_id": "P", "page_id": "G"}


@dataclass
class World:
    """The marked objects and what each role may see of them."""

    ids: dict[str, list[int]]  # kind → ids (L letters, P drafts, A attachments, G pages)
    own_other: dict[str, dict[str, list[int]]]  # role → kind → [own id, other id]
    allowed: dict[str, dict[str, set[int]]]  # role → kind → visible ids
    phones: dict[str, set[str]]  # role → phones it must never see
    changers: dict[str, dict[str, set[int]]]  # role → kind → ids it may change
    wide: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # the bench's ids
    letter_of: dict[int, int] = field(default_factory=dict)  # attachment → its letter


@dataclass
class Result:
    pairs: int = 0
    statuses: Counter = field(default_factory=Counter)
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    redirects: Counter = field(default_factory=Counter)  # where 3xx answers sent the role

    def line(self) -> str:
        return (
            f"pairs checked {self.pairs}, leaks {len(self.leaks)}, 5xx {len(self.errors)}"
            f" (statuses {dict(sorted(self.statuses.items()))})"
        )


# --- the marked world -------------------------------------------------------------------


def mark_and_derive(users: dict) -> World:
    """Put canaries on the private objects and derive, from the policy, what each role sees."""
    from govhub.core.permissions import can
    from govhub.letters.access import can_letter
    from govhub.letters.models import Attachment, Letter
    from govhub.portal.models import ColumnPage
    from govhub.publishing.actions import can_decide
    from govhub.publishing.models import Publication, PubStatus, ReviewDecision

    letters = list(Letter.objects.filter(published=False).select_related("citizen"))
    for lt in letters:
        if not lt.subject.startswith("◆"):
            Letter.objects.filter(pk=lt.pk).update(  # lists show the redacted copy
                subject=f"◆L{lt.pk}◆{lt.subject}"[:200],
                subject_redacted=f"◆L{lt.pk}◆{lt.subject_redacted}"[:200],
            )
    drafts = list(Publication.objects.exclude(status=PubStatus.PUBLISHED))
    for p in drafts:
        if not p.title.startswith("◆"):
            Publication.objects.filter(pk=p.pk).update(title=f"◆P{p.pk}◆{p.title}"[:64])
    if not Attachment.objects.exists():  # the demo's letters carry no files: give some one
        _attach(letters)
    files = list(Attachment.objects.select_related("letter"))
    for a in files:
        if not a.original_name.startswith("◆"):
            Attachment.objects.filter(pk=a.pk).update(original_name=f"◆A{a.pk}◆{a.original_name}")
    pages = list(ColumnPage.objects.all()[:40])
    ids = {
        "L": [lt.pk for lt in letters],
        "P": [p.pk for p in drafts],
        "A": [a.pk for a in files],
        "G": [p.pk for p in pages],
    }
    letter_of = {a.pk: a.letter for a in files}
    decided = set(ReviewDecision.objects.values_list("actor_id", "publication_id"))
    allowed, phones, changers, own_other = {}, {}, {}, {}
    for role, user in users.items():
        see_l = {lt.pk for lt in letters if can_letter(user, "view_letter", lt)}
        see_p = {
            p.pk
            for p in drafts
            if any(can(user, a, p) for a in ("edit_content", "review_content", "sign_content"))
            or can_decide(user, p)
            or (user.pk, p.pk) in decided
        }
        allowed[role] = {
            "L": see_l,
            "P": see_p,
            "A": {pk for pk, lt in letter_of.items() if lt.pk in see_l},
        }
        clear = {
            lt.citizen.phone
            for lt in letters
            if lt.citizen and lt.pk in see_l and can(user, "view_personal_data", lt)
        }
        phones[role] = {
            lt.citizen.phone
            for lt in letters
            if lt.citizen and lt.citizen.phone and lt.citizen.phone not in clear
        }
        letter_actions = (
            "dispatch_letter",
            "handle_letter",
            "review_reply",
            "supervise_letter",
            "approve_extension",
            "publish_letter",
            "record_letter",
        )
        changers[role] = {
            "L": {lt.pk for lt in letters if any(can_letter(user, a, lt) for a in letter_actions)},
            "P": see_p,
            "G": {
                pg.pk
                for pg in pages
                if user.is_superuser
                or any(can(user, a, pg) for a in ("edit_content", "sign_content"))
            },
        }
        own_other[role] = {
            kind: _own_and_other(ids[kind], allowed[role].get(kind, changers[role].get(kind)))
            for kind in ids
        }
    wide = {
        role: {
            kind: _own_and_other(ids[kind], allowed[role].get(kind, changers[role].get(kind)), 3)
            for kind in ids
        }
        for role in users
    }
    return World(
        ids, own_other, allowed, phones, changers, wide, {a: lt.pk for a, lt in letter_of.items()}
    )


def _attach(letters) -> None:
    """A photo on letters of different departments."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from govhub.letters.models import Attachment

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    seen = set()
    for lt in letters:
        if lt.department_id in seen or len(seen) >= 6:
            continue
        seen.add(lt.department_id)
        a = Attachment(
            letter=lt, original_name="现场.png", mime="image/png", size=len(buf.getvalue())
        )
        a.file.save("authz.png", ContentFile(buf.getvalue()), save=False)
        a.save()


def _own_and_other(ids: list[int], visible: set[int] | None, n: int = 1) -> list[int]:
    """``n`` ids the role may see (own department) and ``n`` it may not (another's)."""
    visible = visible or set()
    own = [i for i in ids if i in visible][:n]
    other = [i for i in ids if i not in visible][:n]
    return own + other or ids[:1]


def fingerprint(world: World) -> dict[tuple[str, int], tuple]:
    """What a forbidden write could change: letters, drafts and pages."""
    from wagtail.models import Page

    from govhub.letters.models import Letter
    from govhub.publishing.models import Publication

    out = {}
    for row in Letter.objects.filter(pk__in=world.ids["L"]).values_list(
        "pk", "status", "department_id", "subject", "published", "merged_into_id"
    ):
        out[("L", row[0])] = row[1:]
    for row in Publication.objects.filter(pk__in=world.ids["P"]).values_list(
        "pk", "status", "title", "current_step", "department_id"
    ):
        out[("P", row[0])] = row[1:]
    for row in Page.objects.values_list(
        "pk", "title", "live", "path", "latest_revision_id", "locked", "has_unpublished_changes"
    ):
        out[("G", row[0])] = row[1:]
    return out


# --- what to request ----------------------------------------------------------------------


def admin_patterns() -> list[tuple[str, object]]:
    """Every URL pattern under admin/ (route text, pattern), Wagtail's and ours."""
    out = []

    def walk(patterns, prefix: str, resolver_prefix: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), resolver_prefix)
            elif isinstance(p, URLPattern):
                out.append((prefix + str(p.pattern), p))

    walk(get_resolver().url_patterns, "", "")
    return [(route, p) for route, p in out if route.startswith("admin/")]


_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
_PARAM = re.compile(r"\{\w+\}")


def concrete_urls(route: str, world: World, role: str, everything: bool) -> list[str]:
    """The route with its arguments filled: ids of the kind its path names, own and other
    department's (or every marked id, for the bench); regex and odd routes are left out."""
    if "^" in route or "(?P" in route:
        route = _regex_to_simple(route)
        if route is None:
            return []
    args = _ARG.findall(route)
    if not args:
        return ["/" + route]
    kind = next((k for word, k in KIND_WORDS if word in route), "L")
    if kind == "A" and len(args) == 2:  # <letter_id>/files/<attachment_id>/
        pool = (world.wide if everything else world.own_other)[role].get("A") or []
        return [
            "/" + _fill(_ARG, route, [world.letter_of[a], a]) for a in pool if a in world.letter_of
        ]
    choices = []
    for i, (conv, _name) in enumerate(args):
        if conv in ("int", ""):
            k = kind if i == 0 or kind != "L" else "L"
            if i > 0 and kind == "A":
                k = "A"
            elif i > 0:
                k = "any"
            if k == "any":
                pool = [1]
            elif everything:
                pool = world.wide[role].get(k) or [1]
            else:
                pool = world.own_other[role].get(k) or [1]
            choices.append([str(x) for x in pool])
        elif conv == "uuid":
            choices.append(["00000000-0000-0000-0000-000000000000"])
        elif conv == "path":
            choices.append(["x"])
        else:
            choices.append(["x"])
    return ["/" + _fill(_ARG, route, combo) for combo in itertools.product(*choices)]


def _fill(pattern: re.Pattern, text: str, values) -> str:
    """``text`` with each match of ``pattern`` replaced by the next of ``values``."""
    it = iter(values)
    return pattern.sub(lambda _m: str(next(it)), text)


def _regex_to_simple(route: str) -> str | None:
    # Wagtail's revision compare and a few API routes are regexes; keep what can be filled
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<(\w+)>\\d\+\)", r"<int:\1>", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", route)
    if "(" in route or "\\" in route or "[" in route:
        return None
    return route


def api_operations(doc: dict) -> list[tuple[str, str, dict]]:
    out = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((method, path, op))
    return out


def example_body(op: dict, doc: dict):
    """A body with every required field filled by its type (to get past validation to the
    permission check)."""
    content = op.get("requestBody", {}).get("content", {})
    schema = (content.get("application/json") or {}).get("schema")
    if schema is None:
        return None
    return _example(schema, doc, 0)


def _example(schema: dict, doc: dict, depth: int):
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return _example(doc["components"]["schemas"][name], doc, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            first = next((s for s in schema[key] if s.get("type") != "null"), schema[key][0])
            return _example(first, doc, depth + 1)
    t = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    if t == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        return {k: _example(props[k], doc, depth + 1) for k in schema.get("required", [])}
    return {
        "string": "核对",
        "integer": 1,
        "number": 1,
        "boolean": True,
        "array": [],
    }.get(t, "核对")


def api_urls(path: str, op: dict, world: World, role: str, everything: bool) -> list[str]:
    params = re.findall(r"\{(\w+)\}", path)
    if not params:
        return [path]
    choices = []
    for name in params:
        kind = PARAM_KINDS.get(name)
        if kind is None and "letter" in path:
            kind = "L"
        if kind is None and "publishing" in path:
            kind = "P"
        if kind is None:
            choices.append(["1"])
        elif everything:
            choices.append([str(i) for i in world.wide[role].get(kind) or [1]])
        else:
            choices.append([str(i) for i in world.own_other[role].get(kind) or [1]])
    return [_fill(_PARAM, path, combo) for combo in itertools.product(*choices)]


# --- the oracle ---------------------------------------------------------------------------


def check_response(result: Result, world: World, role: str, label: str, res) -> None:
    result.pairs += 1
    result.statuses[res.status_code] += 1
    if 300 <= res.status_code < 400:
        result.redirects[(res.get("Location") or "").split("?")[0]] += 1
    if res.status_code >= 500:
        cause = res.content[:160].decode("utf-8", "replace") if isinstance(res, _Crashed) else ""
        result.errors.append(f"{res.status_code} {role} {label} {cause}")
        return
    try:
        body = b"".join(res.streaming_content) if res.streaming else res.content
    except Exception:  # noqa: BLE001 - a file response already closed
        body = b""
    text = body.decode("utf-8", "replace")
    allowed = world.allowed[role]
    for kind, pk in CANARY.findall(text):
        result.seen.setdefault(role, set()).add((kind, int(pk)))
        if int(pk) not in allowed.get(kind, set()):
            result.leaks.append(f"{role} {label}: sees ◆{kind}{pk}◆ ({res.status_code})")
    for phone in world.phones[role]:
        if phone in text:
            result.leaks.append(f"{role} {label}: sees the phone {phone[:3]}****")
    if res.status_code == 200 and ("/files/" in label or "/photos/" in label):
        m = re.search(r"/files/(\d+)/|/photos/(\d+)/", label)
        pk = int(next(g for g in m.groups() if g)) if m else None
        if pk is not None and pk not in allowed["A"] and pk in world.ids["A"]:
            result.leaks.append(f"{role} {label}: downloads another department's attachment")


def check_writes(result: Result, world: World, role: str, label: str, before, after) -> None:
    may = world.changers[role]
    for key, old in before.items():
        new = after.get(key)
        if new != old and key[1] not in may.get(key[0], set()):
            result.leaks.append(f"{role} {label}: changed {key[0]}{key[1]} without the right")


def users_by_role() -> dict:
    User = get_user_model()
    return {role: User.objects.get(username=login) for role, login in ROLES.items()}


def walk(client_for, world: World, users: dict, *, everything: bool, sample: int = 0) -> Result:
    """GET every admin/ URL and every API operation, and POST to them (other department's
    ids), as every role; check each answer. ``sample``: check each pattern for only so many
    roles (rotating, so that every role and every pattern are covered)."""
    from govhub.api.auth import issue_token

    result = Result()
    roles = list(users)
    patterns = admin_patterns()
    from django.test import Client

    doc = Client().get("/api/openapi.json").json()
    operations = api_operations(doc)
    tokens = {role: issue_token(user=users[role], name="authz")[1] for role in roles}
    # every role first opens its work lists, where what it may see is shown to it
    for role in roles:
        client = client_for(users[role])
        for url in ("/admin/letters/", "/admin/publishing/"):
            check_response(result, world, role, "GET " + url, _call(client.get, url))
        auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"}
        res = _call(Client().get, "/api/letters/", {"limit": 200}, **auth)
        check_response(result, world, role, "GET /api/letters/", res)
    for n, (route, _p) in enumerate(patterns):
        for role in _roles_for(roles, n, sample):
            client = client_for(users[role])
            for url in concrete_urls(route, world, role, everything):
                if _skip(url):
                    continue
                check_response(result, world, role, "GET " + url, _call(client.get, url))
                if users[role].is_superuser:
                    continue  # the administrator may change anything: its POSTs prove nothing
                before = fingerprint(world)
                res = _call(client.post, url, {"confirm": "1", "title": "改", "comment": "x"})
                check_response(result, world, role, "POST " + url, res)
                check_writes(result, world, role, "POST " + url, before, fingerprint(world))
    for n, (method, path, op) in enumerate(operations):
        for role in [None, *_roles_for(roles, n, sample)]:
            from django.test import Client as C

            client = C()
            headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role else {}
            who = role or "anonymous"
            if who not in world.allowed:
                world.allowed[who] = {"L": set(), "P": set(), "A": set()}
                world.phones[who] = set().union(*world.phones.values())
                world.changers[who] = {}
                world.own_other[who] = world.own_other[roles[0]]
                world.wide[who] = world.wide.get(roles[0], {})
            for url in api_urls(path, op, world, who, everything):
                label = f"{method.upper()} {url}"
                if method == "get":
                    check_response(result, world, who, label, _call(client.get, url, **headers))
                    continue
                if users.get(who) is not None and users[who].is_superuser:
                    continue
                body = example_body(op, doc)
                before = fingerprint(world)
                res = _call(
                    client.generic,
                    method.upper(),
                    url,
                    json.dumps(body if body is not None else {}),
                    content_type="application/json",
                    **headers,
                )
                check_response(result, world, who, label, res)
                check_writes(result, world, who, label, before, fingerprint(world))
    return result


class _Crashed:
    """A view that raised: counted as the 500 it would be served as."""

    status_code = 500
    streaming = False

    def __init__(self, exc: Exception):
        self.content = repr(exc).encode()


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every crash is a finding, reported with its cause
        return _Crashed(exc)


def _roles_for(roles: list[str], n: int, sample: int) -> list[str]:
    if not sample or sample >= len(roles):
        return roles
    return [roles[(n * sample + k) % len(roles)] for k in range(sample)]


def _skip(url: str) -> bool:
    # logging out ends the walk's own session; the job queue's web UI is django-rq's
    return (
        "/logout" in url
        or url.startswith("/admin/django-rq")
        or url.startswith("/admin/failwhale")  # Wagtail's deliberate 500
    )
