from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "govhub.participation"
    label = "participation"
    verbose_name = "互动交流"
