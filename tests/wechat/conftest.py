import pytest


@pytest.fixture(autouse=True)
def _immediate_jobs(settings):
    """Jobs run at once in these tests (the worker is not part of them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
