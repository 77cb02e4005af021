from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "govhub.inbox"
    label = "inbox"
    verbose_name = "统一留言箱"
