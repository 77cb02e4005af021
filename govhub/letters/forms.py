"""Portal forms (they work without JavaScript)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from django import forms
from django.utils.safestring import SafeString

from govhub.core.models import Department
from govhub.letters import intake
from govhub.letters.models import Category
from govhub.ratings.models import RatingLevel


class LeanCopy:
    """``copy.copy`` without the generic reduce protocol: the same shallow copy (a new instance
    sharing the attribute values, as ``copy.copy`` makes of a plain object) in a third of the
    time. Why: every letter's form deep-copies its fields and widgets (Django's ``Form``
    does, and each field's ``__deepcopy__`` starts with ``copy.copy``): ~6 % of a peak letter's
    time in the web worker."""

    def __copy__(self):
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new


class TextInput(LeanCopy, forms.TextInput):
    pass


class Textarea(LeanCopy, forms.Textarea):
    pass


class HiddenInput(LeanCopy, forms.HiddenInput):
    pass


class CheckboxInput(LeanCopy, forms.CheckboxInput):
    pass


class CharField(LeanCopy, forms.CharField):
    widget = TextInput


class FloatField(LeanCopy, forms.FloatField):
    pass


class BooleanField(LeanCopy, forms.BooleanField):
    widget = CheckboxInput


class MultipleFileInput(LeanCopy, forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(LeanCopy, forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.mp4,.mp3"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data] if data else []


_rendered: dict[tuple, SafeString] = {}
_rendered_lock = threading.Lock()
_MAX_RENDERED = 64


class RememberedSelect(LeanCopy, forms.Select):
    """A <select> of database rows whose HTML with nothing chosen is kept in the process, keyed
    on ``rows_version()`` — the rows themselves, read afresh for every form — so an added,
    renamed, moved or deactivated town, village or category shows at once, whichever process
    or path changed it. Why: building the options through Django's widget templates cost
    11–14 ms of CPU per letter form (the town and village lists); reading the rows is one query."""

    rows_version: Callable[[], Hashable] | None = None

    def render(self, name, value, attrs=None, renderer=None):
        if self.rows_version is None or value not in (None, ""):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        key = (type(self), name, tuple(sorted(final.items())), self.is_required)
        key += (self.rows_version(),)
        html = _rendered.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            with _rendered_lock:
                if len(_rendered) >= _MAX_RENDERED:
                    _rendered.clear()
                _rendered[key] = html
        return html


def forget_rendered() -> None:
    """Forget the kept <select>s (tests)."""
    with _rendered_lock:
        _rendered.clear()


class VillageSelect(RememberedSelect):
    """Villages grouped under their town (optgroups), each option naming its town in
    ``data-town`` so the page can offer only the chosen town's villages."""

    def optgroups(self, name, value, attrs=None):
        groups = []
        by_town: dict[str, list] = {}
        towns: dict[str, str] = {}
        by_path = {t.path: t for t in Department.objects.filter(level="town")}
        index = 0
        for option_value, label in self.choices:
            if option_value in ("", None):
                groups.append(
                    (
                        None,
                        [self.create_option(name, "", label, not value or value == [""], 0)],
                        0,
                    )
                )
                continue
            village = option_value.instance
            town = by_path.get(village.path[: -village.steplen])
            key = town.code if town else ""
            towns[key] = town.name if town else ""
            index += 1
            option = self.create_option(
                name, option_value, label, str(option_value) in [str(v) for v in value], index
            )
            option["attrs"]["data-town"] = key
            by_town.setdefault(key, []).append(option)
        for key, options in by_town.items():
            groups.append((towns[key], options, len(groups)))
        return groups


class ModelChoiceField(LeanCopy, forms.ModelChoiceField):
    widget = RememberedSelect


class VillageField(ModelChoiceField):
    widget = VillageSelect


def _department_rows() -> tuple:
    """What the town and village lists show of every town and village (the villages' groups
    name their towns, active or not), in one query."""
    rows = Department.objects.filter(level__in=("town", "village")).order_by("path")
    return tuple(rows.values_list("path", "code", "name", "level", "is_active"))


class LetterForm(forms.Form):
    """Field checks that need no database live in submit_letter; this form only shapes input."""

    subject = CharField(label="标题", max_length=200, required=False)
    content = CharField(
        label="来信内容", widget=Textarea(attrs={"rows": 8}), max_length=60000, required=False
    )
    category = ModelChoiceField(
        label="类别（可不选）",
        required=False,
        to_field_name="code",
        queryset=Category.objects.filter(is_public=True),
        empty_label="— 不确定，由工作人员分办 —",
    )
    town = ModelChoiceField(
        label="所在乡镇（可不选）",
        required=False,
        to_field_name="code",
        queryset=Department.objects.filter(level="town", is_active=True).order_by("path"),
        empty_label="— 请选择乡镇 —",
    )
    village = VillageField(
        label="村（社区）（可不选）",
        required=False,
        to_field_name="code",
        queryset=Department.objects.filter(level="village", is_active=True).order_by("path"),
        empty_label="— 请先选择乡镇，再选村（社区） —",
    )
    address = CharField(label="详细地点（可选，如街道门牌、地标）", max_length=200, required=False)
    name = CharField(label="姓名", max_length=50, required=False)
    phone = CharField(
        label="手机号码",
        max_length=30,
        error_messages={"required": "请填写手机号码，查询办理进度时需要。"},
        help_text="用于查询办理进度（查询时需输入后四位），不会公开。",
    )
    email = CharField(
        label="电子邮箱（可选，答复将同时发送到邮箱）", max_length=254, required=False
    )
    latitude = FloatField(required=False, widget=HiddenInput)
    longitude = FloatField(required=False, widget=HiddenInput)
    publish_consent = BooleanField(label="同意在隐去个人信息后公开来信和答复", required=False)
    attachments = MultipleFileField(
        label="照片或附件（最多 5 个，每个不超过 10 MB）", required=False
    )
    token = CharField(widget=HiddenInput)

    # intake's field names → this form's
    INTAKE_FIELDS = {"category_code": "category", "town_code": "village", "location": "address"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rows: dict[str, tuple] = {}
        self.fields["category"].widget.rows_version = self._category_rows
        self.fields["town"].widget.rows_version = self._department_rows
        self.fields["village"].widget.rows_version = self._department_rows

    def _department_rows(self) -> tuple:
        if "departments" not in self._rows:
            self._rows["departments"] = _department_rows()
        return self._rows["departments"]

    def _category_rows(self) -> tuple:
        if "categories" not in self._rows:
            qs = self.fields["category"].queryset
            self._rows["categories"] = tuple(qs.values_list("code", "name"))
        return self._rows["categories"]

    def clean(self):
        """Every error at once: the domain's checks (intake) run even when a field already
        failed, and each message lands beside its own field."""
        data = super().clean()
        town, village = data.get("town"), data.get("village")
        if village is not None and town is not None and not town.contains(village):
            self.add_error("village", f"{village.name}不属于{town.name}，请重新选择。")
        if village is not None and town is None:
            data["town"] = village.get_parent()
        place = village or data.get("town")
        raw = self.data
        errors = intake.check_letter(
            channel="portal",
            subject=raw.get("subject", ""),
            content=raw.get("content", ""),
            phone=raw.get("phone", ""),
            email=raw.get("email", ""),
            town_code=place.code if place else None,
            address=raw.get("address", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
        for key, message in errors.items():
            field = self.INTAKE_FIELDS.get(key, key)
            if field not in self.fields:
                field = None
            if field is None or field not in self.errors:
                self.add_error(field, message)
        data["place"] = place
        return data


# each visible widget names its id (the page's labels and scripts point at it): set once on
# the class's fields, which every form copies
for _name, _field in LetterForm.base_fields.items():
    if not isinstance(_field.widget, forms.HiddenInput | forms.CheckboxInput):
        _field.widget.attrs.setdefault("id", f"id_{_name}")


class LookupForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20)
    last4 = forms.CharField(label="手机号后四位", max_length=4, min_length=4)


class RatingForm(forms.Form):
    """好差评 of a reply: five levels; a 差评 needs a reason (checked by ``govhub.ratings``)."""

    level = forms.TypedChoiceField(
        label="您对答复的评价", choices=RatingLevel.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="意见建议（选“不满意”“非常不满意”时请填写）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
