"""Back-office menu of content safety (内容安全): dictionaries, leaders, text check."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from govhub.core.permissions import can
from govhub.safety import admin_views as v


class SafetyMenuItem(MenuItem):
    def __init__(self, label, url_name, *, action="view_dictionary", icon_name="warning", order=0):
        self.govhub_action = action
        super().__init__(label, reverse(url_name), icon_name=icon_name, order=order)

    def is_shown(self, request):
        return can(request.user, self.govhub_action)


@hooks.register("register_admin_urls")
def register_safety_urls():
    return [
        path("safety/dictionary/", v.dictionary_view, name="safety_dictionary"),
        path("safety/dictionary/new/", v.term_edit, name="safety_term_new"),
        path("safety/dictionary/<int:pk>/", v.term_edit, name="safety_term_edit"),
        path("safety/dictionary/import/", v.dictionary_import, name="safety_import"),
        path("safety/dictionary/export.<str:fmt>", v.dictionary_export, name="safety_export"),
        path("safety/leaders/", v.leaders_view, name="safety_leaders"),
        path("safety/leaders/new/", v.leader_edit, name="safety_leader_new"),
        path("safety/leaders/<int:pk>/", v.leader_edit, name="safety_leader_edit"),
        path("safety/check/", v.check_view, name="safety_check"),
    ]


@hooks.register("register_admin_menu_item")
def register_safety_menu():
    from wagtail.admin.menu import Menu, SubmenuMenuItem

    return SubmenuMenuItem(
        "内容安全",
        Menu(
            items=[
                SafetyMenuItem("词库", "safety_dictionary", order=1),
                SafetyMenuItem("领导人名单", "safety_leaders", order=2),
                SafetyMenuItem("文本检查", "safety_check", order=3),
                SafetyMenuItem("导入", "safety_import", action="manage_dictionary", order=4),
            ]
        ),
        icon_name="warning",
        order=390,
    )
