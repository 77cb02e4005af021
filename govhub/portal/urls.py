"""Portal URLs at the site root; the last pattern serves pages (published file or Wagtail)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from govhub.portal import views
from govhub.portal.sitemaps import PortalSitemap

app_name = "portal"
urlpatterns = [
    path("search/", views.search_view, name="search"),
    path("mode/<str:mode>/", views.set_mode, name="mode"),
    path("script/<str:script>/", views.set_script, name="script"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PortalSitemap}}, name="sitemap"),
    path("sitemap/", views.site_map, name="site_map"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("rss.xml", views.site_rss, name="rss"),
    path("atom.xml", views.site_atom, name="atom"),
    path("report-error/", views.report_error, name="report_error"),
    re_path(
        r"^(?!(?:media|static|_util|admin|documents|api|django-admin)/)(?P<path>.*)$",
        views.serve_page,
        name="page",
    ),
]
