"""The one domain error type: every refusal of the domain is a ``DomainError`` (or a subclass).

The API turns it into ``{"error": code, "message": 中文说明, "details": …}`` with its status; the
back office shows its message where the person works. It lives in core so that every app can
raise it without importing the layers above it.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A refusal with a machine code and a Chinese message.

    ``DomainError("code", "消息"[, details])`` or, for subclasses with a default ``code``,
    ``SubError("消息")``; ``details`` carries structured data (field errors, findings)."""

    code = "invalid"
    status = 400

    def __init__(self, *args, details=None, status: int | None = None, code: str | None = None):
        if len(args) >= 3:
            details = args[2] if details is None else details
        if len(args) >= 2:
            code, message = args[0], args[1]
        elif args:
            message = args[0]
        else:
            message = "请求不能完成"
        self.code = code or type(self).code
        self.message = str(message)
        self.details = details
        if status:
            self.status = status
        super().__init__(self.message)


class FieldErrors(DomainError):
    """Input refused field by field: ``errors`` maps field names to Chinese messages, so a form
    shows every error at once beside its field."""

    code = "invalid"

    def __init__(self, errors: dict[str, str], status: int | None = None):
        self.errors = dict(errors)
        super().__init__("；".join(self.errors.values()), details=self.errors, status=status)
