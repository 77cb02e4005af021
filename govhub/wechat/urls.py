from django.urls import path

from govhub.wechat import oauth, views

app_name = "wechat"
urlpatterns = [
    path("callback/<slug:slug>/", views.callback, name="callback"),
    path("oauth/", oauth.callback, name="oauth_callback"),
]
