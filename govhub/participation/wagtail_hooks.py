"""Back-office menu and pages of participation (互动交流)."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.permissions import can
from govhub.participation import actions, admin_views
from govhub.participation.models import BoardColumn

ACTIONS = (
    "manage_consultation",
    "moderate_participation",
    "mark_adoption",
    "answer_post",
    "manage_survey",
    "view_participation",
    "manage_interview",
    "answer_interview",
)

admin_urls = [
    path("", admin_views.home, name="home"),
    path("consultations/new/", admin_views.consultation_form, name="consultation_new"),
    path("consultations/<int:consultation_id>/", admin_views.consultation, name="consultation"),
    path(
        "consultations/<int:consultation_id>/edit/",
        admin_views.consultation_form,
        name="consultation_edit",
    ),
    path(
        "consultations/<int:consultation_id>/act/<slug:action>/",
        admin_views.consultation_act,
        name="consultation_act",
    ),
    path("board/", admin_views.board, name="board"),
    path("board/<int:post_id>/", admin_views.post, name="post"),
    path("board/<int:post_id>/act/<slug:action>/", admin_views.post_act, name="post_act"),
    path("surveys/", admin_views.surveys, name="surveys"),
    path("surveys/new/", admin_views.survey_form, name="survey_new"),
    path("surveys/<int:survey_id>/", admin_views.survey, name="survey"),
    path("surveys/<int:survey_id>/act/<slug:action>/", admin_views.survey_act, name="survey_act"),
    path("surveys/<int:survey_id>/export.csv", admin_views.survey_export, name="survey_export"),
    path("surveys/<int:survey_id>/export.xlsx", admin_views.survey_xlsx, name="survey_xlsx"),
    path("surveys/<int:survey_id>/edit/", admin_views.survey_form, name="survey_edit"),
    path("interviews/", admin_views.interviews, name="interviews"),
    path("interviews/new/", admin_views.interview_form, name="interview_new"),
    path("interviews/<int:interview_id>/", admin_views.interview, name="interview"),
    path("interviews/<int:interview_id>/edit/", admin_views.interview_form, name="interview_edit"),
    path(
        "interviews/<int:interview_id>/act/<slug:action>/",
        admin_views.interview_act,
        name="interview_act",
    ),
    path("stats/", admin_views.statistics, name="stats"),
    path("moderation/", admin_views.moderation, name="moderation"),
    path("moderation/<slug:kind>/<int:object_id>/", admin_views.moderate, name="moderate"),
]


@hooks.register("register_admin_urls")
def register_participation_urls():
    return [
        path(
            "participation/",
            include((admin_urls, "participation_admin"), namespace="participation_admin"),
        )
    ]


class ParticipationMenuItem(MenuItem):
    def is_shown(self, request):
        return any(can(request.user, a) for a in ACTIONS)


@hooks.register("register_admin_menu_item")
def register_participation_menu():
    return ParticipationMenuItem(
        "互动交流", reverse("participation_admin:home"), icon_name="group", order=160
    )


class BoardColumnCreate(CreateView):
    def save_instance(self):
        return actions.save_board_column(self.request.user, self.form.save(commit=False))


class BoardColumnEdit(EditView):
    def save_instance(self):
        return actions.save_board_column(self.request.user, self.form.save(commit=False))


class BoardColumnViewSet(ModelViewSet):
    """留言板栏目: the administrator adds topics and their default answering department; a
    column is closed (启用 off), not deleted, so its posts keep their place."""

    model = BoardColumn
    icon = "list-ul"
    menu_label = "留言板栏目"
    menu_order = 830
    add_to_settings_menu = True
    form_fields = ["name", "description", "department", "sort_order", "is_active"]
    list_display = ["name", "department", "sort_order", "is_active"]
    add_view_class = BoardColumnCreate
    edit_view_class = BoardColumnEdit


@hooks.register("register_admin_viewset")
def register_board_columns():
    return BoardColumnViewSet("board_columns")


register_permission_policy(
    BoardColumn,
    GovhubPermissionPolicy(
        BoardColumn,
        {a: "manage_board_columns" for a in ("add", "change", "view")},
        dept_field=None,
    ),
)
