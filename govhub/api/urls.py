"""The HTTP API: one NinjaAPI; each app adds its router in its own ``api`` module."""

import json
from importlib import import_module

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.security import SessionAuth

from govhub.api.auth import TokenAuth
from govhub.api.errors import install_error_handlers


class StaffSession(SessionAuth):
    """The back office's session; a request without a session cookie is simply not logged in
    (401), not a CSRF failure."""

    def _get_key(self, request):
        from django.conf import settings

        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


class OfflineSwagger(Swagger):
    """Swagger UI served from our static files (npm's swagger-ui-dist), not from a CDN."""

    template = "api/swagger.html"

    def render_page(self, request, api, **kwargs):
        from django.shortcuts import render
        from ninja.openapi.docs import _csrf_needed

        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "openapi_url": self.settings["url"],
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title="示范县政务平台接口",
    version="1",
    description=(
        "信件、发布、问答、监管的接口。机器客户端用令牌认证（请求头 Authorization: Bearer 令牌，"
        "写操作无须 CSRF）；在浏览器中已登录时也可用会话，写操作须带 X-CSRFToken。"
    ),
    # the token first: a client that sends one is a machine client, whatever cookies it carries
    auth=[TokenAuth(), StaffSession()],
    urls_namespace="api",
    docs=OfflineSwagger(settings={"defaultModelsExpandDepth": 0}),
)
install_error_handlers(api)

from govhub.api import core_api  # noqa: E402

api.add_router("/core", core_api.router)

for _app in [
    "letters",
    "publishing",
    "qa",
    "wechat",
    "inbox",
    "matrix",
    "analytics",
    "portal",
    "channels",
    "services",
    "participation",
]:
    try:
        _mod = import_module(f"govhub.{_app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"govhub.{_app}.api":
            raise
        continue
    for _prefix, _router in getattr(_mod, "ROUTERS", []):
        api.add_router(_prefix, _router)
