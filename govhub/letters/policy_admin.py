"""Administrator changes to the letters' policy, category routes and router versions (each
permission-checked and audited)."""

from __future__ import annotations

from django.db import transaction

from govhub.core import audit
from govhub.core.permissions import require
from govhub.letters import router
from govhub.letters.deadlines import current_policy
from govhub.letters.models import Category, CategoryRoute, LetterPolicy


def update_policy(actor, **changes) -> LetterPolicy:
    require(actor, "manage_letter_policy")
    with transaction.atomic():
        policy = current_policy()
        for k, v in changes.items():
            setattr(policy, k, v)
        policy.save()
        audit.record(
            actor=actor,
            action="letter_policy_changed",
            obj=policy,
            summary={k: (v.pk if hasattr(v, "pk") else v) for k, v in changes.items()},
        )
    return policy


def save_category(actor, category: Category) -> Category:
    require(actor, "manage_letter_policy")
    with transaction.atomic():
        category.save()
        audit.record(
            actor=actor,
            action="letter_category_saved",
            obj=category,
            summary={"code": category.code},
        )
    return category


def save_route(actor, route: CategoryRoute) -> CategoryRoute:
    require(actor, "manage_letter_policy")
    with transaction.atomic():
        route.save()
        audit.record(
            actor=actor,
            action="letter_route_saved",
            obj=route,
            summary={
                "category": route.category.code,
                "department": route.department.code,
                "town": route.town.code if route.town else None,
            },
        )
    return route


def activate_router(actor, version: int):
    require(actor, "manage_letter_policy")
    with transaction.atomic():
        model = router.activate_version(version)
        audit.record(
            actor=actor, action="letter_router_activated", obj=model, summary={"version": version}
        )
    return model
