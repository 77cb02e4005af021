"""Structured API errors: ``{"error": code, "message": 中文说明, "details": …}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from govhub.core.errors import DomainError

__all__ = ["DomainError", "error_body", "install_error_handlers"]


def error_body(code: str, message: str, details=None) -> dict:
    body = {"error": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


def install_error_handlers(api) -> None:
    @api.exception_handler(DomainError)
    def _domain(request, exc: DomainError):
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.details), status=exc.status
        )

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc):
        return api.create_response(
            request, error_body("forbidden", str(exc) or "无权访问"), status=403
        )

    @api.exception_handler(Http404)
    def _missing(request, exc):
        return api.create_response(request, error_body("not_found", "对象不存在"), status=404)

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        return api.create_response(
            request, error_body("unauthorized", "请先登录或提供有效令牌"), status=401
        )

    @api.exception_handler(NinjaValidationError)
    def _invalid(request, exc):
        return api.create_response(
            request, error_body("invalid", "请求参数不正确", exc.errors), status=422
        )

    @api.exception_handler(ValidationError)
    def _dj_invalid(request, exc):
        details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return api.create_response(
            request, error_body("invalid", "请求参数不正确", details), status=422
        )

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        if str(exc) == "CSRF check Failed":
            return api.create_response(
                request,
                error_body(
                    "csrf_failed",
                    "CSRF 校验失败：浏览器会话的写操作须带 X-CSRFToken 请求头；"
                    "机器客户端请用令牌（Authorization: Bearer 令牌）",
                ),
                status=403,
            )
        return api.create_response(
            request, error_body("http_error", str(exc)), status=exc.status_code
        )

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def _out_of_range(request, exc):
        # an id or number beyond the database's integer (SQLite: OverflowError; PostgreSQL:
        # "out of range", a DataError) or a text longer than its column: the client's input
        return api.create_response(
            request, error_body("invalid", "请求参数不正确：数值或长度超出范围"), status=422
        )

    @api.exception_handler(ValueError)
    def _value(request, exc: ValueError):
        # a negative offset reaches the queryset slice (``qs[offset:offset + limit]``)
        if "Negative indexing" in str(exc):
            return api.create_response(
                request,
                error_body(
                    "invalid",
                    "请求参数不正确：offset 和 limit 不能为负数",
                    [{"loc": ["query", "offset"], "msg": "不能为负数"}],
                ),
                status=422,
            )
        raise exc
