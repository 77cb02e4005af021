"""State changes of the organisation: departments, staff roles, working-day overrides.

One function per change; each checks permission, writes the audit record in the same
transaction, and is what the back office, the API and the demo builder call.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from govhub.core import audit, workdays
from govhub.core.models import Department, Membership, WorkdayOverride
from govhub.core.permissions import require


def create_department(
    actor, *, parent: Department | None, name: str, code: str, level: str, kind: str, **extra
) -> Department:
    """Add a department under ``parent`` (None: a new region root, superusers only)."""
    require(actor, "manage_departments", parent)
    with transaction.atomic():
        fields = dict(name=name, code=code, level=level, kind=kind, **extra)
        dept = parent.add_child(**fields) if parent else Department.add_root(**fields)
        audit.record(
            actor=actor,
            action="department_created",
            obj=dept,
            summary={"code": code, "parent": parent.code if parent else None},
        )
    return dept


def update_department(actor, dept: Department, **changes) -> Department:
    require(actor, "manage_departments", dept)
    with transaction.atomic():
        before = {k: getattr(dept, k) for k in changes}
        for k, v in changes.items():
            setattr(dept, k, v)
        dept.save(update_fields=list(changes))
        audit.record(
            actor=actor,
            action="department_updated",
            obj=dept,
            summary={"before": before, "after": changes},
        )
    return dept


def assign_role(actor, *, user, department: Department, role: str, title: str = "") -> Membership:
    require(actor, "manage_staff", department)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, department=department, role=role, defaults={"title": title}
        )
        if created:
            audit.record(
                actor=actor,
                action="role_assigned",
                obj=membership,
                summary={"user": user.pk, "department": department.code, "role": role},
            )
        sync_wagtail_groups(user)
    user.__dict__.pop("_govhub_memberships", None)
    return membership


def revoke_role(actor, membership: Membership) -> None:
    require(actor, "manage_staff", membership.department)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="role_revoked",
            obj=membership,
            summary={
                "user": membership.user_id,
                "department": membership.department.code,
                "role": membership.role,
            },
        )
        membership.delete()
        sync_wagtail_groups(membership.user)


# Each role's group in Wagtail's 用户组 (Chinese names: the administrator reads them there). They
# give back-office access and, to those who write or check pieces, the image and document library.
# None gives rights on portal pages: pages change only through 内容发布's review steps and checks
# (the administrator keeps Wagtail's page tree, as superuser); Wagtail's own Editors and
# Moderators groups, which could publish any page past the review, are removed by
# backoffice's migration 0002.
STAFF_GROUP = "后台用户"
ROLE_GROUPS = {
    "editor": "编辑岗",
    "reviewer": "审核岗",
    "signer": "签发岗",
    "dispatcher": "分办岗",
    "handler": "承办岗",
    "supervisor": "督办督导岗",
    "administrator": "管理员岗",
}
LIBRARY_ROLES = {"editor", "reviewer", "signer", "administrator"}
LIBRARY_PERMISSIONS = [
    ("wagtailimages", ["add_image", "change_image", "choose_image"]),
    ("wagtaildocs", ["add_document", "change_document", "choose_document"]),
]


def _role_group(role: str | None):
    """The group of ``role`` (None: every staff user's), created with its rights on first use."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission

    name = ROLE_GROUPS[role] if role else STAFF_GROUP
    group, created = Group.objects.get_or_create(name=name)
    if not created and group.permissions.exists():
        return group
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    root = Collection.get_first_root_node()
    if role in LIBRARY_ROLES and root is not None:
        for app_label, codenames in LIBRARY_PERMISSIONS:
            for perm in Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            ):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=perm
                )
    return group


def sync_wagtail_groups(user) -> None:
    """Put a staff user in the groups of the roles they hold now, and in no other role's."""
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    wanted = [_role_group(None), *(_role_group(r) for r in sorted(held) if r in ROLE_GROUPS)]
    user.groups.remove(
        *user.groups.filter(name__in=[ROLE_GROUPS[r] for r in ROLE_GROUPS if r not in held])
    )
    user.groups.add(*wanted)


def create_staff_user(actor, *, username: str, password: str, full_name: str = "", email: str = ""):
    """A back-office account; roles are given separately with :func:`assign_role`."""
    require(actor, "manage_staff")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, email=email, first_name=full_name, is_staff=True
        )
        audit.record(actor=actor, action="staff_created", obj=user, summary={"username": username})
    return user


def set_workday_override(
    actor, *, date: dt.date, is_working_day: bool, note: str = ""
) -> WorkdayOverride:
    """Declare a local holiday or working day; deadlines computed afterwards follow it."""
    require(actor, "manage_workdays")
    with transaction.atomic():
        override, _ = WorkdayOverride.objects.update_or_create(
            date=date, defaults={"is_working_day": is_working_day, "note": note}
        )
        audit.record(
            actor=actor,
            action="workday_override_set",
            obj=override,
            summary={"date": date.isoformat(), "working": is_working_day, "note": note},
        )
        transaction.on_commit(workdays.overrides_changed)
    return override


def remove_workday_override(actor, override: WorkdayOverride) -> None:
    require(actor, "manage_workdays")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="workday_override_removed",
            obj=override,
            summary={"date": override.date.isoformat()},
        )
        override.delete()
        transaction.on_commit(workdays.overrides_changed)
