"""The actions of participation, declared through core's one permission table.

Who does what: the portal's editors publish drafts, surveys and board columns for their
department; the administrator keeps the board's columns (county-wide topics); reviewers
moderate what citizens write (pre-moderation); the drafting department's
handlers and editors mark each comment's adoption and answer board posts for their department.
"""

from __future__ import annotations

from govhub.core.models import Role as R
from govhub.core.permissions import register_action

for _name, _label, _roles in [
    ("manage_consultation", "发布征求意见稿", [R.EDITOR]),
    ("moderate_participation", "审核群众意见和留言", [R.REVIEWER]),
    ("mark_adoption", "标注意见采纳情况", [R.EDITOR, R.HANDLER]),
    ("answer_post", "答复留言", [R.HANDLER, R.EDITOR]),
    ("manage_survey", "发布民意调查", [R.EDITOR]),
    ("view_participation", "查看互动交流统计", [R.SUPERVISOR, R.ADMINISTRATOR]),
    ("manage_interview", "组织在线访谈", [R.EDITOR]),
    ("answer_interview", "在线访谈答复网友提问", [R.EDITOR, R.HANDLER]),
    ("manage_board_columns", "管理留言板栏目", [R.ADMINISTRATOR]),
]:
    register_action(_name, _label, _roles)
