from django.urls import path

from govhub.publishing import views

app_name = "publishing"
urlpatterns = [
    path("p/<int:pk>/", views.publication_page, name="publication"),
    path("feed/<slug:slug>.xml", views.feed, name="feed"),
]
