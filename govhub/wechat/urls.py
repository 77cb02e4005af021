from django.urls import path

from govhub.wechat import views

app_name = "wechat"
urlpatterns = [
    path("callback/<slug:slug>/", views.callback, name="callback"),
]
