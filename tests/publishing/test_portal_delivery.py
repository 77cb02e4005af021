"""A piece with a portal column becomes a live portal ArticlePage; withdrawing unpublishes it."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from govhub.channels.outbox import run_outbox
from govhub.core.models import Department
from govhub.publishing import actions
from govhub.publishing.models import DeliveryState, Publication, PubStatus
from tests.publishing.factories import simple_account

pytestmark = pytest.mark.django_db


def test_portal_target_creates_a_live_article_under_the_column(county):
    from govhub.portal.models import ArticlePage, ColumnPage

    rmt = Department.objects.get(code="rmt")
    root = Page.get_first_root_node()
    column = root.add_child(instance=ColumnPage(title="政务要闻", slug="zwyw-test"))
    portal = simple_account(rmt, "portal")
    pub, _ = actions.create_publication(
        county.user("editor"),
        department=rmt,
        title="县政府召开常务会议",
        digest="会议研究冬季供暖。",
        body="<p>会议研究冬季供暖。</p>",
        column=column,
        targets=[portal],
    )
    Publication.objects.filter(pk=pub.pk).update(status=PubStatus.IN_REVIEW, current_step=2)
    actions.approve(county.admin, pub)
    run_outbox()
    d = pub.deliveries.get()
    assert d.state == DeliveryState.SENT and d.remote_id.startswith("page:")
    article = ArticlePage.objects.child_of(column).get()
    assert article.live and article.title == "县政府召开常务会议" and "冬季供暖" in article.body
    assert article.department_id == rmt.pk
    actions.withdraw_delivery(county.user("editor"), d, "更正")
    article.refresh_from_db()
    assert not article.live


def test_an_editor_places_pieces_only_in_columns_his_department_reaches(county):
    """Page rights follow the department tree: a bureau's column is its own; county-wide
    columns (no 主管部门) are everyone's."""
    from govhub.portal.models import ColumnPage
    from govhub.publishing.actions import PublishingError
    from govhub.publishing.forms import PublicationForm

    rmt = Department.objects.get(code="rmt")
    rsj = Department.objects.get(code="rsj")
    root = Page.get_first_root_node()
    shared = root.add_child(instance=ColumnPage(title="政务要闻", slug="zwyw-shared"))
    bureau = root.add_child(instance=ColumnPage(title="人社动态", slug="rsdt", department=rsj))
    editor = county.user("editor")  # 县融媒体中心
    offered = set(actions.column_pages(editor).values_list("pk", flat=True))
    assert shared.pk in offered and bureau.pk not in offered
    form = PublicationForm(user=editor)
    assert bureau.pk not in {c.pk for c in form.fields["column"].queryset}
    with pytest.raises(PublishingError) as err:
        actions.create_publication(editor, department=rmt, title="越界", column=bureau)
    assert "其他部门" in err.value.message
    assert not Publication.objects.filter(title="越界").exists()
