"""Wagtail permission policy that asks govhub's one permission function.

Back-office viewsets use it so that the admin and the API give the same answer:
``GovhubPermissionPolicy(Model, {"view": "view_audit", "add": "manage_workdays", ...})``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from govhub.core.permissions import ACTIONS, can, scope_queryset


class GovhubPermissionPolicy(BasePermissionPolicy):
    def __init__(self, model, actions: dict[str, str], dept_field: str | None = "department"):
        super().__init__(model)
        self.actions = actions  # wagtail action (add/change/delete/view/…) → govhub action
        self.dept_field = dept_field

    def _action(self, action: str) -> str | None:
        if action in self.actions:
            return self.actions[action]
        return self.actions.get("change") if action in {"edit", "change"} else None

    def user_has_permission(self, user, action):
        act = self._action(action)
        return bool(act) and can(user, act)

    def user_has_permission_for_instance(self, user, action, instance):
        act = self._action(action)
        return bool(act) and can(user, act, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        qs = self.model._default_manager.none()
        for action in actions:
            act = self._action(action)
            if not act:
                continue
            base = self.model._default_manager.all()
            if self.dept_field:
                qs = qs | scope_queryset(user, act, base, self.dept_field)
            elif can(user, act):
                return base
        return qs

    def users_with_any_permission(self, actions):
        roles = set()
        for action in actions:
            act = self._action(action)
            if act:
                roles |= ACTIONS[act].roles
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(memberships__role__in=roles), is_active=True)
            .distinct()
        )
