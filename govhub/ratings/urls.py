from django.urls import path

from govhub.ratings import views

app_name = "ratings"

urlpatterns = [
    path("rate/", views.rate, name="rate"),
]
