from django.urls import path

from govhub.qa import views

app_name = "qa"
urlpatterns = [
    path("", views.ask_page, name="ask"),
    path("handover/", views.handover, name="handover"),
]
