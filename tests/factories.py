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
        from govhub.core.actions import sync_wagtail_groups

        sync_wagtail_groups(user)
    return user


def restore_wagtail_defaults() -> None:
    """What migrations leave — the root page and a default site (Wagtail's), no Editors or
    Moderators groups (backoffice's migration 0002 removes them) — for tests that run after a
    transactional test has flushed every table."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page, Site

    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(language_code="zh-hans")
        root = Page.add_root(
            instance=Page(
                title="根目录", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )
    if not Site.objects.exists():
        Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="全部")
