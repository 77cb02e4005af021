from django.conf import settings
from django.contrib import admin as django_admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from govhub.api.urls import api
from govhub.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
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
    path("participation/", include("govhub.participation.urls")),
    path("", include("govhub.portal.urls")),
]
if settings.DEBUG or settings.MODE != "production":
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns.append(path("", include(wagtail_urls)))

handler403 = "govhub.core.views.permission_denied"
handler404 = "govhub.core.views.page_not_found"
handler500 = "govhub.core.views.server_error"
