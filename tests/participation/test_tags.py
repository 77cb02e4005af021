"""A paragraph that carries its own number is not numbered twice on the draft page."""

from govhub.participation.templatetags.participation_tags import self_numbered


def test_paragraphs_with_their_own_number_are_recognised():
    assert self_numbered("第十二条 本办法自公布之日起施行。")
    assert self_numbered("三、保障措施")
    assert self_numbered("1. 适用范围")
    assert not self_numbered("为规范城区停车秩序，制定本办法。")
    assert not self_numbered("第一次征求意见")  # 第一次 is not an article number
