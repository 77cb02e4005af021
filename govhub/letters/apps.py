from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "govhub.letters"
    label = "letters"
    verbose_name = "领导信箱"
