from django.apps import AppConfig


class MatrixConfig(AppConfig):
    name = "govhub.matrix"
    label = "matrix"
    verbose_name = "新媒体矩阵"
