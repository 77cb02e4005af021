import pytest


@pytest.fixture(autouse=True)
def _immediate_jobs(settings):
    """Jobs run at once in these tests (the worker is not part of them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _no_pending_hits():
    """Hit counts wait in memory for a batched write: an earlier test's must not land on this
    test's rows (SQLite reuses primary keys after a rollback)."""
    from govhub.wechat import handlers

    with handlers._hits_lock:
        handlers._hits.clear()
    yield


@pytest.fixture(autouse=True)
def _no_pending_deliveries():
    """Answered questions' dedup rows may wait in memory (``delivered``): none cross tests."""
    from govhub.wechat import delivered

    yield
    with delivered._flushing, delivered._lock:  # not while the writer thread writes
        delivered._pending.clear()
