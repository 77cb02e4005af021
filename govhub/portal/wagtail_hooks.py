"""Back office: the search synonyms editors maintain (list, edit, CSV import)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.permissions import can
from govhub.portal import actions
from govhub.portal.models import SearchSynonym

MAX_UPLOAD = 2 * 1024 * 1024


class SynonymImportForm(forms.Form):
    file = forms.FileField(label="CSV 文件")


def import_synonyms_view(request):
    """从 CSV 导入同义词: all or nothing, every bad row named."""
    if not can(request.user, "manage_search_words"):
        raise PermissionDenied
    report = None
    form = SynonymImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "文件不能超过 2 MB")
        else:
            try:
                report = actions.import_synonyms(request.user, upload.read())
            except actions.SynonymImportError as exc:
                form.add_error("file", str(exc))
            else:
                if not report.errors:
                    messages.success(
                        request, f"导入完成：新增 {report.created} 组，更新 {report.updated} 组"
                    )
                    return redirect("portal_synonyms:index")
    return render(
        request,
        "portal/admin/synonym_import.html",
        {"form": form, "report": report, "count": SearchSynonym.objects.count()},
    )


@hooks.register("register_admin_urls")
def register_portal_urls():
    urls = [path("", import_synonyms_view, name="import")]
    return [
        path(
            "search-words/import/",
            include((urls, "portal_synonym_import"), namespace="portal_synonym_import"),
        )
    ]


class SynonymCreate(CreateView):
    def save_instance(self):
        return actions.save_synonyms(self.request.user, self.form.save(commit=False))


class SynonymEdit(EditView):
    def save_instance(self):
        return actions.save_synonyms(self.request.user, self.form.save(commit=False))


class SynonymDelete(DeleteView):
    def delete_action(self):
        actions.delete_synonyms(self.request.user, self.object)


class SynonymViewSet(ModelViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = "搜索同义词"
    menu_order = 215
    add_to_admin_menu = True
    form_fields = ["words", "note", "enabled"]
    list_display = ["words", "note", Column("state_label", label="状态"), "updated_at"]
    search_fields = ["words", "note"]
    add_view_class = SynonymCreate
    edit_view_class = SynonymEdit
    delete_view_class = SynonymDelete


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "manage_search_words")


@hooks.register("register_admin_viewset")
def register_synonym_viewset():
    return SynonymViewSet("portal_synonyms")


@hooks.register("register_admin_menu_item")
def register_import_menu():
    return ImportMenuItem(
        "导入搜索同义词", reverse("portal_synonym_import:import"), icon_name="upload", order=216
    )


register_permission_policy(
    SearchSynonym,
    GovhubPermissionPolicy(
        SearchSynonym,
        {a: "manage_search_words" for a in ("add", "change", "delete", "view")},
        dept_field=None,
    ),
)
