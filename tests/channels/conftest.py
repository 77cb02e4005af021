import pytest

from tests.fakes.fixtures import fast_outbox, wechat_api, weibo_api  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _fast(fast_outbox):  # noqa: F811
    """Short timeouts and back-off, media in a temp folder, jobs at once."""
