"""Where a rating's target is looked up: each app registers its own kinds in ``ready()``.

This keeps the import direction: services, letters, qa and inbox import ratings; ratings
never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govhub.core.models import Department


@dataclass
class Target:
    name: str
    department: Department | None


_RESOLVERS: dict[str, Callable[[int], Target | None]] = {}


def register(target_type: str, resolve: Callable[[int], Target | None]) -> None:
    """``resolve(id)`` returns the target's name and responsible department, or None when it is
    gone or may not be rated."""
    _RESOLVERS[target_type] = resolve


def resolve(target_type: str, target_id: int) -> Target | None:
    fn = _RESOLVERS.get(target_type)
    target = fn(target_id) if fn else None
    if target is not None and target.department is None:
        # nobody named responsible: the county's top department calls back
        target.department = Department.get_first_root_node()
    return target if target is not None and target.department is not None else None
