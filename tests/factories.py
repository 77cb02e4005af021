"""Factories for the core models; apps add theirs beside their tests."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from govhub.core.models import Department, DepartmentKind, Level, Membership

_seq = itertools.count(1)


def make_department(
    parent: Department | None = None,
    *,
    name: str | None = None,
    level: str = Level.COUNTY,
    kind: str = DepartmentKind.BUREAU,
    code: str | None = None,
) -> Department:
    n = next(_seq)
    fields = dict(name=name or f"测试部门{n}", code=code or f"dept-{n}", level=level, kind=kind)
    if parent is None:
        return Department.add_root(**fields)
    parent = Department.objects.get(pk=parent.pk)
    return parent.add_child(**fields)


def make_user(
    username: str | None = None,
    *,
    department: Department | None = None,
    role: str | None = None,
    superuser: bool = False,
    password: str = "pw-test-123456",
):
    User = get_user_model()
    user = User.objects.create_user(
        username=username or f"user{next(_seq)}",
        password=password,
        is_staff=True,
        is_superuser=superuser,
    )
    if department is not None and role is not None:
        Membership.objects.create(user=user, department=department, role=role)
        from govhub.core.org import sync_wagtail_groups

        sync_wagtail_groups(user)
    return user
