"""The HTTP API: one NinjaAPI; each app adds its router in its own ``api`` module."""

from importlib import import_module

from ninja import NinjaAPI
from ninja.security import SessionAuth

from govhub.api.auth import TokenAuth
from govhub.api.errors import install_error_handlers

api = NinjaAPI(
    title="govhub API",
    version="1",
    description="示范县政务平台接口：信件、发布、问答、监管。Session or Bearer token authentication.",
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
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
