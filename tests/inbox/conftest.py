import pytest

from tests.fakes.fixtures import fast_outbox  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def _immediate_jobs(settings):
    """Jobs run at once in these tests (the worker is not part of them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
