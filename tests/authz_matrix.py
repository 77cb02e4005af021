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
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

CANARY = re.compile(r"◆([A-Z])(\d+)◆")
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
PARAM_KINDS = {
    "letter_id": "L",
    "pub_id": "P",
    "publication_id": "P",
    "page_id": "G",
    "page_to_move_id": "G",
    "parent_page_id": "G",
    "page_pk": "G",
    "consultation_id": "C",
    "survey_id": "S",
    "interview_id": "I",
    "post_id": "B",
    "object_id": "B",
    "guide_id": "V",
    "booking_id": "K",
    "callback_id": "R",
    "rectification_id": "N",
}
# The department-owned objects of the apps added after letters and publishing: each not yet
# public one gets a canary in a text field its pages show, and a role may see it when one of
# the listed actions is allowed to it on that object (core.permissions.can; ":anywhere": the
# action held in any department — pre-moderation of what citizens write is county-wide). Route and API
# parameters reach them through PARAM_KINDS, the snippet viewsets' models and ROUTE_KINDS.
MARKED = {
    # kind: (app_label.Model, field, filter of the private ones, actions that let a role see it)
    "C": (
        "participation.Consultation",
        "title",
        {"status": "draft"},
        ("manage_consultation", "mark_adoption", "view_participation:anywhere"),
    ),
    "S": (
        "participation.Survey",
        "title",
        {"status": "draft"},
        ("manage_survey", "view_participation:anywhere"),
    ),
    "I": (
        "participation.Interview",
        "title",
        {"status": "draft"},
        ("manage_interview", "answer_interview", "view_participation:anywhere"),
    ),
    "B": (
        "participation.Post",
        "title",
        {"status__in": ["pending", "rejected"]},
        ("answer_post", "view_participation:anywhere", "moderate_participation:anywhere"),
    ),
    "V": (
        "services.ServiceGuide",
        "name",
        {"is_published": False},
        ("manage_guides", "manage_appointments"),
    ),
    "K": ("services.Booking", "name", {}, ("manage_appointments",)),
    "R": ("ratings.CallbackTask", "rating.comment", {}, ("handle_rating", "view_service_figures")),
    "N": (
        "matrix.Rectification",
        "problems",
        {},
        ("view_supervision", "send_rectification", "answer_rectification"),
    ),
}
# admin/ routes naming these take ids of that kind (checked before KIND_WORDS)
ROUTE_KINDS = [
    ("ratings/callbacks/", "R"),
    ("matrix/rectifications/<", "N"),
    ("service_guides/", "V"),
]


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
    model_ids: dict[str, list[int]] = field(default_factory=dict)  # "M:app.Model" → first pks
    public: set[tuple[str, int]] = field(default_factory=set)  # made public by an allowed write


@dataclass
class Result:
    pairs: int = 0
    kinds: Counter = field(default_factory=Counter)  # pairs per kind of request
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

    def kinds_line(self) -> str:
        return "pairs per kind: " + ", ".join(f"{k} {n}" for k, n in sorted(self.kinds.items()))


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
    marked = _mark_department_objects()
    ids.update({kind: sorted(objs) for kind, objs in marked.items()})
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
        for kind, objs in marked.items():
            acts = MARKED[kind][3]
            allowed[role][kind] = {
                pk for pk, obj in objs.items() if any(_may(user, a, obj) for a in acts)
            }
        changers[role] = {
            **{kind: set(allowed[role][kind]) for kind in marked},
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


def _mark_department_objects() -> dict[str, dict[int, object]]:
    """Canaries on the private objects of the MARKED kinds; kind → {pk: object}."""
    from django.apps import apps

    out: dict[str, dict[int, object]] = {}
    for kind, (label, field_path, private, _acts) in MARKED.items():
        model = apps.get_model(label)
        if private and not model.objects.filter(**private).exists():
            _make_private(model, private)  # the demo has none: some departments' become so
        objs = {}
        for obj in model.objects.filter(**private).order_by("pk")[:60]:
            owner, field_name = obj, field_path
            if "." in field_path:  # a text of a related object (a call-back's rating)
                rel, field_name = field_path.split(".")
                owner = getattr(obj, rel)
            value = getattr(owner, field_name) or ""
            if not value.startswith("◆"):
                max_length = getattr(owner._meta.get_field(field_name), "max_length", None)
                value = f"◆{kind}{obj.pk}◆{value}"
                setattr(owner, field_name, value[:max_length] if max_length else value)
                owner.save(update_fields=[field_name])  # save(): encrypted fields encrypt
            objs[obj.pk] = obj
        out[kind] = objs
    return out


def _may(user, action: str, obj) -> bool:
    from govhub.core.permissions import can

    if action.endswith(":anywhere"):
        return can(user, action.removesuffix(":anywhere"))
    return can(user, action, obj)


def _make_private(model, private: dict) -> None:
    """Turn one object of each of up to six departments private (a draft, unpublished)."""
    values = {
        k.removesuffix("__in"): (v[0] if k.endswith("__in") else v) for k, v in private.items()
    }
    seen, pks = set(), []
    for pk, dept in model.objects.order_by("pk").values_list("pk", "department_id"):
        if dept not in seen and len(seen) < 6:
            seen.add(dept)
            pks.append(pk)
    model.objects.filter(pk__in=pks).update(**values)


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
    from django.apps import apps

    for kind, (label, *_rest) in MARKED.items():
        model = apps.get_model(label)
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not getattr(f, "auto_now", False) and f.get_internal_type() != "BinaryField"
        ]
        for row in model.objects.filter(pk__in=world.ids.get(kind, [])).values_list(*names):
            out[(kind, row[0])] = row[1:]
    for row in Page.objects.values_list(
        "pk", "title", "live", "path", "latest_revision_id", "locked", "has_unpublished_changes"
    ):
        out[("G", row[0])] = row[1:]
    return out


# --- what to request ----------------------------------------------------------------------


def admin_patterns() -> list[tuple[str, object]]:
    """Every URL pattern under admin/ (route text, pattern), Wagtail's and ours."""
    return [(route, p) for route, p in all_patterns() if route.startswith("admin/")]


def staff_patterns() -> list[tuple[str, object]]:
    """The staff side: Wagtail's back office with every app's pages, and Django's admin."""
    return [(r, p) for r, p in all_patterns() if r.startswith(("admin/", "django-admin/"))]


def public_patterns() -> list[tuple[str, object]]:
    """Everything else but the API (walked from its OpenAPI document), media and static."""
    return [
        (r, p)
        for r, p in all_patterns()
        if not r.startswith(("admin/", "django-admin/", "api/", "media/", "static/", "^media"))
    ]


def all_patterns() -> list[tuple[str, object]]:
    """Every URL pattern of the site, by walking Django's resolver (route text, pattern)."""
    out = []

    def walk(patterns, prefix: str, resolver_prefix: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), resolver_prefix)
            elif isinstance(p, URLPattern):
                out.append((prefix + str(p.pattern), p))

    walk(get_resolver().url_patterns, "", "")
    return out


_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
_PARAM = re.compile(r"\{\w+\}")


def concrete_urls(route: str, world: World, role: str, everything: bool, pattern=None) -> list[str]:
    """The route with its arguments filled: ids of the kind the argument or the view names,
    own and other department's (three of each with ``everything``); a slug such as an action's
    name takes every value the view compares it with; ids that depend on another (a page's
    revision, task state, a destination) are that object's."""
    if "^" in route or "(?P" in route:
        route = _regex_to_simple(route)
        if route is None:
            return []
    args = _ARG.findall(route)
    if not args:
        return ["/" + route]
    pools = world.wide if everything else world.own_other
    if route.startswith("admin/bulk/"):
        return _bulk_urls(route, world, pools[role])
    kind = route_kind(route, pattern)
    if kind == "A" and len(args) == 2:  # <letter_id>/files/<attachment_id>/
        pool = pools[role].get("A") or []
        return [
            "/" + _fill(_ARG, route, [world.letter_of[a], a]) for a in pool if a in world.letter_of
        ]
    choices = []
    ints = 0
    for conv, name in args:
        if conv in ("int", ""):
            k = PARAM_KINDS.get(name)
            if k is None and name in DEPENDENT:
                choices.append([DEPENDENT_MARK + name])
                continue
            if k is None:
                k = kind if ints == 0 else "any"
            ints += 1
            if k == "any":
                pool = [1]
            elif k.startswith("M:"):
                pool = _model_ids(world, k)[: 3 if everything else 1]
            else:
                pool = pools[role].get(k) or [1]
            choices.append([str(x) for x in pool])
        elif conv == "uuid":
            choices.append(["00000000-0000-0000-0000-000000000000"])
        elif route.startswith("admin/pages/") and name in PAGE_TYPE_SLUGS:
            choices.append([_page_type()[PAGE_TYPE_SLUGS[name]]])
        else:
            choices.append(slug_values(pattern, name) or ["x"])
    names = [name for _conv, name in args]
    out = []
    for combo in itertools.product(*choices):
        values = dict(zip(names, combo, strict=True))
        filled = [_dependent(n, v, values, world, role) for n, v in values.items()]
        out.append("/" + _fill(_ARG, route, filled))
    return list(dict.fromkeys(out))


# the page type an "add a page" URL names: one a column may hold (an article)
PAGE_TYPE_SLUGS = {
    "content_type_app_name": 0,
    "app_label": 0,
    "content_type_model_name": 1,
    "model_name": 1,
}


def _page_type() -> tuple[str, str]:
    from govhub.portal.models import ColumnPage

    child = next(
        (m for m in ColumnPage.allowed_subpage_models() if m is not ColumnPage), ColumnPage
    )
    return child._meta.app_label, child._meta.model_name


def _bulk_urls(route: str, world: World, pool: dict) -> list[str]:
    """Wagtail's bulk actions (pages: delete, move, publish, unpublish; users, images,
    documents), every one registered, on own and other ids (pages) or the model's first ids."""
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    bulk_action_registry._scan_for_bulk_actions()
    out = []
    for app_label, models_ in bulk_action_registry.actions.items():
        for model_name, actions_ in models_.items():
            if (app_label, model_name) == ("wagtailcore", "page"):
                ids = pool.get("G") or [1]
            else:
                ids = _model_ids(world, f"M:{app_label}.{model_name}")[:1]
            for action in actions_:
                path = _fill(_ARG, route, [app_label, model_name, action])
                out += [f"/{path}?id={pk}" for pk in ids]
    return out


def _model_ids(world: World, key: str) -> list[int]:
    if key not in world.model_ids:
        from django.apps import apps

        model = apps.get_model(key[2:])
        world.model_ids[key] = list(model.objects.order_by("pk").values_list("pk", flat=True)[:3])
    return world.model_ids[key] or [1]


# ids that depend on the page (or object) named before them
DEPENDENT = {"revision_id", "task_state_id", "workflow_state_id", "destination_id", "task_id"}
DEPENDENT_MARK = "@"


def _dependent(name: str, value: str, values: dict, world: World, role: str) -> str:
    if not value.startswith(DEPENDENT_MARK):
        return value
    from wagtail.models import Page, Revision, Task, TaskState, WorkflowState

    page_id = next((v for k, v in values.items() if k in ("page_id", "pk") and v.isdigit()), None)
    found = None
    if name == "revision_id" and page_id:
        found = (
            Revision.page_revisions.filter(object_id=page_id)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
    elif name == "task_state_id" and page_id:
        found = (
            TaskState.objects.filter(workflow_state__object_id=page_id)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
    elif name == "workflow_state_id" and page_id:
        found = (
            WorkflowState.objects.filter(object_id=page_id)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
    elif name == "destination_id":  # a page the role may not change, else the root's child
        mine = world.changers.get(role, {}).get("G", set())
        found = next((pk for pk in world.ids.get("G", []) if pk not in mine), None) or (
            Page.objects.filter(depth=2).values_list("pk", flat=True).first()
        )
    elif name == "task_id":
        found = Task.objects.values_list("pk", flat=True).first()
    return str(found or 1)


def route_kind(route: str, pattern=None) -> str:
    """The kind of object a route's first id names: by its words, the model of its view
    (Wagtail's snippet and model viewsets), else by KIND_WORDS (letters by default)."""
    for word, k in ROUTE_KINDS:
        if word in route:
            return k
    model = _view_model(pattern)
    if model is not None:
        label = model._meta.label
        for k, (marked_label, *_rest) in MARKED.items():
            if marked_label == label:
                return k
        return "M:" + label
    return next((k for word, k in KIND_WORDS if word in route), "L")


def _view_model(pattern):
    cb = getattr(pattern, "callback", None)
    if cb is None:
        return None
    model = (getattr(cb, "view_initkwargs", None) or {}).get("model")
    if model is None:
        model = getattr(getattr(cb, "view_class", None), "model", None)
    from django.db import models as dj_models

    if isinstance(model, type) and issubclass(model, dj_models.Model):
        return model
    return None


_SLUG_CACHE: dict[tuple[int, str], list[str]] = {}


def slug_values(pattern, name: str) -> list[str]:
    """Every value the view compares the slug ``name`` with (``action == "publish"``,
    ``action in ("approve", "reject")``, ``{"answer": …}.get(action)``), read from its source;
    Wagtail's workflow actions are approve and reject."""
    if name == "action_name":
        return ["approve", "reject"]
    cb = getattr(pattern, "callback", None)
    if cb is None:
        return []
    key = (id(cb), name)
    if key not in _SLUG_CACHE:
        import inspect

        fn = inspect.unwrap(cb)
        try:
            src = inspect.getsource(fn)
        except (OSError, TypeError):
            src = ""
        found = re.findall(rf"\b{name}\s*==\s*\"([\w-]+)\"", src)
        for group in re.findall(rf"\b{name}\s+in\s*[(\[{{]([^)\]}}]*)[)\]}}]", src):
            found += re.findall(r"\"([\w-]+)\"", group)
        for group in re.findall(rf"\{{([^{{}}]*)\}}\.get\(\s*{name}\b", src, re.S):
            found += re.findall(r"\"([\w-]+)\"\s*:", group)
        _SLUG_CACHE[key] = list(dict.fromkeys(found))
    return _SLUG_CACHE[key]


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


def check_response(
    result: Result, world: World, role: str, label: str, res, kind: str = "staff URL"
) -> None:
    result.pairs += 1
    result.kinds[kind] += 1
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
        if int(pk) not in allowed.get(kind, set()) and (kind, int(pk)) not in world.public:
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
        if new == old or key in world.public:  # citizens may act on public ones (report, vote)
            continue
        if key[1] not in may.get(key[0], set()):
            result.leaks.append(f"{role} {label}: changed {key[0]}{key[1]} without the right")
        elif _now_public(*key):  # a right holder published it: from now on anyone may see it
            world.public.add(key)


def _now_public(kind: str, pk: int) -> bool:
    from django.apps import apps

    if kind in MARKED:
        label, _field, private, _acts = MARKED[kind]
        return not apps.get_model(label).objects.filter(pk=pk, **private).exists()
    if kind == "L":
        from govhub.letters.models import Letter

        return Letter.objects.filter(pk=pk, published=True).exists()
    if kind == "P":
        from govhub.publishing.models import Publication, PubStatus

        return Publication.objects.filter(pk=pk, status=PubStatus.PUBLISHED).exists()
    return False


def users_by_role() -> dict:
    User = get_user_model()
    return {role: User.objects.get(username=login) for role, login in ROLES.items()}


def walk(client_for, world: World, users: dict, *, everything: bool, sample: int = 0) -> Result:
    """Every role × every staff URL (admin/ and django-admin/: GET, then POST with the forms
    the administrator's pages carry for that URL — Wagtail's publish, workflow and revision
    actions included — or a generic body), every public URL (GET), and every API operation
    with a bearer token and with the back office's session (CSRF enforced as in production:
    a write without the token must change nothing, one with it is checked like the bearer's).
    ``sample``: check each pattern for only so many roles (rotating, so that every role and
    every pattern are covered)."""
    from govhub.api.auth import issue_token

    result = Result()
    roles = sorted(users, key=lambda r: not users[r].is_superuser)  # the administrator first
    patterns = staff_patterns()
    from django.test import Client

    doc = Client().get("/api/openapi.json").json()
    operations = api_operations(doc)
    tokens = {role: issue_token(user=users[role], name="authz")[1] for role in roles}
    forms = FormIndex()
    state = {"fp": fingerprint(world)}

    def post(client, role, url, body, kind):
        before = state["fp"]
        res = _call(client.post, url, body)
        check_response(result, world, role, "POST " + url, res, kind)
        state["fp"] = fingerprint(world)
        check_writes(result, world, role, "POST " + url, before, state["fp"])

    # every role first opens its work lists, where what it may see is shown to it
    for role in roles:
        client = client_for(users[role])
        for url in WORK_LISTS:
            check_response(result, world, role, "GET " + url, _call(client.get, url))
        auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"}
        res = _call(Client().get, "/api/letters/", {"limit": 200}, **auth)
        check_response(result, world, role, "GET /api/letters/", res, "API (bearer)")
    for n, (route, p) in enumerate(patterns):
        for role in _roles_for(roles, n, sample, keep=roles[0]):
            client = client_for(users[role])
            kind = "page action" if route.startswith("admin/pages/") else "staff URL"
            for url in concrete_urls(route, world, role, everything, p):
                if _skip(url):
                    continue
                res = _call(client.get, url)
                check_response(result, world, role, "GET " + url, res, kind)
                if users[role].is_superuser:
                    forms.learn(url, res)
                    continue  # the administrator may change anything: its POSTs prove nothing
                for body in forms.bodies(url):
                    post(client, role, url, body, kind)
    for n, (route, p) in enumerate(public_patterns()):
        for role in [None, *_roles_for(roles, n, sample)]:
            client = client_for(users[role]) if role else Client()
            who = role or "anonymous"
            _anonymous(world, who, roles)
            for url in concrete_urls(route, world, who, everything, p):
                if _skip(url):
                    continue
                check_response(
                    result, world, who, "GET " + url, _call(client.get, url), "public URL"
                )
    for n, (method, path, op) in enumerate(operations):
        for role in [None, *_roles_for(roles, n, sample)]:
            who = role or "anonymous"
            _anonymous(world, who, roles)
            superuser = users.get(who) is not None and users[who].is_superuser
            body = json.dumps(example_body(op, doc) or {}) if method != "get" else None
            for url in api_urls(path, op, world, who, everything):
                label = f"{method.upper()} {url}"
                ways = [
                    (
                        "API (bearer)",
                        Client(),
                        {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role else {},
                    )
                ]
                if role:
                    ways.append(("API (session)", _session(users[role]), {}))
                for kind, client, headers in ways:
                    if method == "get":
                        res = _call(client.get, url, **headers)
                        check_response(result, world, who, label, res, kind)
                        continue
                    if superuser:
                        continue
                    csrf_cases = [None]
                    if kind == "API (session)":  # without the token first, then as the page does
                        csrf_cases = ["", client.cookies["csrftoken"].value]
                    for token in csrf_cases:
                        extra = dict(headers)
                        if token:
                            extra["HTTP_X_CSRFTOKEN"] = token
                        before = state["fp"]
                        res = _call(
                            client.generic,
                            method.upper(),
                            url,
                            body,
                            content_type="application/json",
                            **extra,
                        )
                        tag = label + (" (no CSRF token)" if token == "" else "")
                        check_response(result, world, who, tag, res, kind)
                        state["fp"] = fingerprint(world)
                        check_writes(result, world, who, tag, before, state["fp"])
                        if token == "" and res.status_code < 400 and op.get("security"):
                            result.leaks.append(
                                f"{who} {tag}: accepted without the CSRF token ({res.status_code})"
                            )
    return result


# the lists each role opens first (what it may see is shown to it there)
WORK_LISTS = (
    "/admin/letters/",
    "/admin/publishing/",
    "/admin/participation/",
    "/admin/participation/board/",
    "/admin/participation/surveys/",
    "/admin/participation/interviews/",
    "/admin/ratings/callbacks/",
    "/admin/matrix/rectifications/",
    "/admin/service_guides/",
    "/admin/services/appointments/",
)


def _anonymous(world: World, who: str, roles: list[str]) -> None:
    if who in world.allowed:
        return
    world.allowed[who] = {"L": set(), "P": set(), "A": set()}
    world.phones[who] = set().union(*world.phones.values())
    world.changers[who] = {}
    least = min(roles, key=lambda r: sum(len(v) for v in world.allowed[r].values()))
    world.own_other[who] = world.own_other[least]  # its "other" ids: what no one outside sees
    world.wide[who] = world.wide.get(least, {})


_SESSIONS: dict[int, object] = {}


def _session(user):
    """A browser of the back office: logged in, CSRF checks on, the cookie set by a page."""
    from django.test import Client

    if user.pk in _SESSIONS:
        return _SESSIONS[user.pk]

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/admin/")  # sets the csrftoken cookie, as the back office's pages do
    if "csrftoken" not in client.cookies:
        from django.middleware.csrf import _get_new_csrf_string

        client.cookies["csrftoken"] = _get_new_csrf_string()
    _SESSIONS[user.pk] = client
    return client


GENERIC_BODY = {"confirm": "1", "title": "改", "comment": "x"}


class FormIndex:
    """The POST forms the administrator's pages carry, by the route (and slugs) they post to:
    replayed by every other role so that a request reaches the permission check with valid
    input (a forbidden change then shows, rather than a validation error hiding it)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple, list[dict]] = {}

    @staticmethod
    def _key(url: str):
        from django.urls import Resolver404, resolve

        try:
            match = resolve(url.split("?")[0])
        except Resolver404:
            return None
        slugs = tuple(sorted((k, v) for k, v in match.kwargs.items() if not str(v).isdigit()))
        return (match.route, slugs)

    def learn(self, url: str, res) -> None:
        if getattr(res, "status_code", 0) != 200 or getattr(res, "streaming", True):
            return
        if "html" not in (res.get("Content-Type") or ""):
            return
        parser = _Forms()
        parser.feed(res.content.decode("utf-8", "replace"))
        for action, variants in parser.forms:
            key = self._key(action or url)
            if key is None:
                continue
            known = self.by_key.setdefault(key, [])
            for fields in variants:
                if len(known) < 2 and fields not in known:
                    known.append(fields)

    def bodies(self, url: str) -> list[dict]:
        key = self._key(url)
        return self.by_key.get(key) or [GENERIC_BODY]


class _Forms(HTMLParser):
    """Each method=post form: its action and its fields, one variant per named submit button
    (Wagtail's 发布 ``action-publish`` first), checked boxes only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[dict]]] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {"action": a.get("action", ""), "fields": [], "submits": []}
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "file":
                return
            if kind in ("submit", "image"):
                self._form["submits"].append((name, a.get("value", "1")))
                return
            self._form["fields"].append((name, a.get("value", "")))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form["submits"].append((name, a.get("value", "1")))
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            if self._select[2] is None:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            name, chosen, first = self._select
            self._form["fields"].append((name, chosen if chosen is not None else first or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            fields = {}
            for name, value in self._form["fields"]:
                if name in fields:  # a repeated name (several checked boxes) posts a list
                    prev = fields[name]
                    fields[name] = (prev if isinstance(prev, list) else [prev]) + [value]
                else:
                    fields[name] = value
            submits = sorted(self._form["submits"], key=lambda s: s[0] != "action-publish")
            variants = [{**fields, s[0]: s[1]} for s in submits[:2]] or [fields]
            self.forms.append((self._form["action"], variants))
            self._form = None


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


def _roles_for(roles: list[str], n: int, sample: int, keep: str | None = None) -> list[str]:
    """``sample`` roles for the n-th pattern, rotating; ``keep`` (the administrator, whose
    pages give the forms the others post) is always among them."""
    if not sample or sample >= len(roles):
        return roles
    chosen = [roles[(n * sample + k) % len(roles)] for k in range(sample)]
    if keep is not None and keep not in chosen:
        chosen.insert(0, keep)
    return chosen


def _skip(url: str) -> bool:
    # logging out ends the walk's own session; the job queue's web UI is django-rq's
    return (
        "/logout" in url
        or url.startswith("/admin/django-rq")
        or url.startswith("/admin/failwhale")  # Wagtail's deliberate 500
    )
