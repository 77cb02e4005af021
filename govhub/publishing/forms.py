"""Back-office forms of publishing (the views hand cleaned data to services)."""

from __future__ import annotations

from django import forms
from wagtail.images.models import Image
from wagtail.images.widgets import AdminImageChooser

from govhub.channels.models import ChannelAccount
from govhub.core.models import Department
from govhub.publishing.actions import column_pages
from govhub.publishing.models import Publication


class ColumnChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return "\u3000" * max(0, obj.depth - 3) + obj.title


class PublicationForm(forms.ModelForm):
    targets = forms.ModelMultipleChoiceField(
        label="发布渠道",
        queryset=ChannelAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    images = forms.ModelMultipleChoiceField(
        label="微博配图（最多 9 张）",
        queryset=Image.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    attachment = forms.FileField(label="上传附件", required=False)

    class Meta:
        model = Publication
        fields = [
            "title",
            "kind",
            "department",
            "column",
            "digest",
            "rich_body",
            "short_text",
            "cover",
            "scheduled_at",
        ]
        widgets = {
            "short_text": forms.Textarea(attrs={"rows": 3}),
            "cover": AdminImageChooser,
            "scheduled_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments(user)
        self.fields["column"] = ColumnChoiceField(
            queryset=column_pages(user),
            label="门户栏目",
            required=False,
            empty_label="（不发到门户栏目）",
            initial=self.instance.column_id,
            help_text="稿件在门户网站上所在的栏目；只列出栏目，不列文章",
        )
        self.fields["targets"].queryset = ChannelAccount.objects.filter(enabled=True).order_by(
            "platform", "name"
        )
        self.fields["images"].queryset = Image.objects.order_by("-created_at")[:60]
        if self.instance.pk:
            self.fields["targets"].initial = list(self.instance.targets.all())
            self.fields["images"].initial = list(self.instance.images.all())

    def clean_images(self):
        images = self.cleaned_data["images"]
        if len(images) > 9:
            raise forms.ValidationError("微博最多 9 张配图")
        return images


def _departments(user):
    from govhub.core.permissions import scope_roots

    roots = scope_roots(user, "edit_content")
    if not roots:
        return Department.objects.none()
    ids = set()
    for root in roots:
        ids |= set(root.subtree().values_list("pk", flat=True))
    return Department.objects.filter(pk__in=ids).order_by("path")


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="意见", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
