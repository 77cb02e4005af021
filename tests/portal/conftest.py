import pytest


@pytest.fixture
def published_root(settings, tmp_path):
    """Each test writes its published pages into its own directory."""
    settings.PUBLISHED_ROOT = tmp_path / "published"
    return settings.PUBLISHED_ROOT


@pytest.fixture
def site(db, published_root):
    from govhub.portal import search
    from tests.portal.site import build_site

    pages = build_site()
    search.reindex_all()
    return pages
