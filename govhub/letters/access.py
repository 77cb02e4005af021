"""Who may do what to which letter, narrowed per action.

Core's ``can`` checks a role against an object's departments. A letter belongs to several
departments with different roles on it (the intake office dispatches, the lead and co-handling
departments handle and review, the supervising office supervises), so each action is checked
against only the departments that action concerns: a handler of one bureau never reaches a
letter merely because it was received by another office.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models

from govhub.core.models import Department
from govhub.core.permissions import can, require, scope_roots
from govhub.letters.models import Letter

HANDLING_ACTIONS = {"handle_letter", "review_reply"}
INTAKE_ACTIONS = {"dispatch_letter", "record_letter"}
SUPERVISION_ACTIONS = {"approve_extension", "supervise_letter", "publish_letter"}


class _Scope:
    """The letter as seen by one action: the same identity, fewer departments."""

    def __init__(self, letter: Letter, departments: list[Department]):
        self._meta = letter._meta
        self.pk = letter.pk
        self._departments = departments

    def permission_departments(self) -> list[Department]:
        return self._departments


def _handling_departments(letter: Letter) -> list[Department]:
    depts = [
        a.department for a in letter.assignments.filter(active=True).select_related("department")
    ]
    if letter.department_id and letter.department not in depts:
        depts.append(letter.department)
    return depts


def departments_for(letter: Letter, action: str) -> list[Department]:
    if action in INTAKE_ACTIONS:
        return [letter.intake_department]
    if action in HANDLING_ACTIONS:
        return _handling_departments(letter)
    if action in SUPERVISION_ACTIONS:
        return [letter.supervising_department]
    raise ValueError(action)


def can_letter(user, action: str, letter: Letter) -> bool:
    if action == "view_letter":
        return any(
            can_letter(user, a, letter)
            for a in ("dispatch_letter", "handle_letter", "review_reply", "supervise_letter")
        )
    return can(user, action, _Scope(letter, departments_for(letter, action)))


def require_letter(user, action: str, letter: Letter) -> None:
    """PermissionDenied (audited by core) unless ``user`` may do ``action`` on ``letter``."""
    if action == "view_letter":
        if can_letter(user, action, letter):
            return
        require(user, "view_letter", _Scope(letter, []))
        raise PermissionDenied("无权查看该信件")
    require(user, action, _Scope(letter, departments_for(letter, action)))


def _under(roots: list[Department], field: str) -> models.Q:
    q = models.Q(pk__in=[])
    for root in roots:
        q |= models.Q(**{f"{field}__path__startswith": root.path})
    return q


def visible_letters(user, qs: models.QuerySet | None = None) -> models.QuerySet:
    """Letters ``user`` may see: received by their office, handled by their department (lead
    or co-handling), or supervised by their office."""
    qs = Letter.objects.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    cond = _under(scope_roots(user, "dispatch_letter"), "intake_department")
    handling = scope_roots(user, "handle_letter") + scope_roots(user, "review_reply")
    cond |= _under(handling, "department")
    if handling:
        cond |= models.Q(
            pk__in=Letter.objects.filter(
                _under(handling, "assignments__department"), assignments__active=True
            ).values("pk")
        )
    cond |= _under(scope_roots(user, "supervise_letter"), "supervising_department")
    # no DISTINCT: every join above is to one row (a letter's departments) and co-handling is a
    # subquery, so no letter comes twice — and a DISTINCT over every column, the encrypted body
    # among them, made the work queue's count take 0.3 s at 20,000 letters
    return qs.filter(cond)


def get_letter_for(user, letter_id, action: str = "view_letter") -> Letter:
    """The one permission-checked fetch: absence and refusal look alike."""
    letter = visible_letters(user).filter(pk=letter_id).first()
    if letter is None:
        raise PermissionDenied("信件不存在或无权访问")
    require_letter(user, action, letter)
    return letter
