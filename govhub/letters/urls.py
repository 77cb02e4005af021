from django.urls import path

from govhub.letters import views

app_name = "letters"
urlpatterns = [
    path("", views.index, name="index"),
    path("write/", views.write, name="write"),
    path("track/", views.track, name="track"),
    path("track/<int:letter_id>/", views.progress, name="progress"),
    path("track/<int:letter_id>/rate/", views.rate, name="rate"),
    path(
        "track/<int:letter_id>/files/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:letter_id>/", views.archive_detail, name="archive_detail"),
    path("stats/", views.statistics, name="stats"),
    path("map/", views.open_map, name="map"),
]
