from __future__ import annotations

import pytest

from tests.fakes.fixtures import fast_outbox, wechat_api, weibo_api  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _fast_outbox(fast_outbox):  # noqa: F811
    """Every publishing test: short timeouts and back-off, media in a temp folder."""
