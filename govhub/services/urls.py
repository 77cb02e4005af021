from django.urls import path

from govhub.ratings import views as rating_views
from govhub.services import fake_backend, views

app_name = "services"
urlpatterns = [
    path("", views.home, name="home"),
    path("guides/", views.guide_list, name="guides"),
    path("guides/<int:pk>/", views.guide_detail, name="guide"),
    path("guides/<int:pk>/book/", views.book, name="book"),
    path("bookings/", views.my_booking, name="my_booking"),
    path("queries/<slug:slug>/", views.query_page, name="query"),
    path(
        "rate/", rating_views.rate, name="rate"
    ),  # links already sent; the form posts to /ratings/
    path("fake-backend/<slug:name>/", fake_backend.answer, name="fake_backend"),
]
