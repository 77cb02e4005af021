from django.conf import settings
from django.contrib import admin as django_admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from govhub.api.urls import api
from govhub.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # before Wagtail's admin: two of its views answer 500 to malformed input (core/views.py)
    re_path(
        r"^admin/(?:images|documents)/chooser/chosen/(?!\d+/$)[^/]+/$",
        core_views.chooser_not_a_number,
    ),
    path("admin/choose-external-link/", core_views.external_link_chooser),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", django_admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", api.urls),
    path("letters/", include("govhub.letters.urls")),
    path("wechat/", include("govhub.wechat.urls")),
    path("qa/", include("govhub.qa.urls")),
    path("publishing/", include("govhub.publishing.urls")),
    path("matrix/", include("govhub.matrix.urls")),
    path("analytics/", include("govhub.analytics.urls")),
    path("inbox/", include("govhub.inbox.urls")),
    path("services/", include("govhub.services.urls")),
    path("ratings/", include("govhub.ratings.urls")),
    path("participation/", include("govhub.participation.urls")),
    path("", include("govhub.portal.urls")),
]
if settings.DEBUG or settings.MODE != "production" or settings.SERVE_MEDIA:
    # uploads (images of pieces and pages) from Django itself in the demo — under gunicorn too,
    # where ``static()`` would serve nothing without DEBUG; production has nginx's /media/.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns.insert(
        0,
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    )
urlpatterns.append(path("", include(wagtail_urls)))

handler403 = "govhub.core.views.permission_denied"
handler404 = "govhub.core.views.page_not_found"
handler500 = "govhub.core.views.server_error"
