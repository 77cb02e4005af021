"""One rule for ``offset``/``limit`` on every API list: bad values are a structured 422, never a
500 (a negative offset used to reach the queryset slice; a huge one overflows the database's
integer). Shared by every app's list endpoint so the answer is the same everywhere."""

from __future__ import annotations

from govhub.core.errors import DomainError

MAX_OFFSET = 1_000_000  # deeper than any list we hold; stops integer overflow in SQL


class BadPaging(DomainError):
    code = "invalid"
    status = 422


def window(offset: int, limit: int, *, max_limit: int = 200) -> slice:
    """The slice for ``offset``/``limit``; :class:`BadPaging` (422) naming each bad parameter."""
    problems = []
    if offset < 0:
        problems.append({"loc": ["query", "offset"], "msg": "不能为负数"})
    elif offset > MAX_OFFSET:
        problems.append({"loc": ["query", "offset"], "msg": f"不能大于 {MAX_OFFSET}"})
    if limit < 1 or limit > max_limit:
        problems.append({"loc": ["query", "limit"], "msg": f"须在 1 到 {max_limit} 之间"})
    if problems:
        raise BadPaging("请求参数不正确：offset 或 limit 超出范围", details=problems)
    return slice(offset, offset + limit)
