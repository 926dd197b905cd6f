"""Forms for contacts. They only parse input; the rules are in services."""

import functools

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.selectors import (
    department_is_visible,
    department_visible_list,
    staff_is_selectable,
    staff_selectable_list,
)
from mamoru.policy.loader import current as current_policy
from people.models import Resident

from .choices import DefinitionAnswer, HarassmentJudgement
from .hooks import contact_resident_annotations
from .selectors import ContactFilter
from .services import ContactData

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M"]
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(label, *, rows=4, max_length=None, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length or settings.MAMORU_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class _ChoicesOnUse(ModelChoiceIterator):
    """Reads the field's queryset when the choices are listed, not when made."""

    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset


class BuiltOnUse:
    """A model choice field whose queryset ``build_queryset_with`` gives as a
    function, called the first time the queryset is read: to list the
    choices, or to look up an answer not in ``loaded``. A form saved with the
    usual answers builds none."""

    iterator = _ChoicesOnUse
    _build = None

    def build_queryset_with(self, build) -> None:
        self._build = build
        self.widget.choices = self.choices  # an iterator of this copy of the field

    def _get_queryset(self):
        if self._queryset is None and self._build is not None:
            self.queryset = self._build()
        return self._queryset

    queryset = property(_get_queryset, forms.ModelChoiceField._set_queryset)


class LoadedChoiceField(BuiltOnUse, forms.ModelChoiceField):
    """A choice from the field's queryset. Objects already in hand (the user
    filling the form, their department: the usual answers) are given in
    ``loaded`` once the same rule as the queryset's has allowed them, and are
    accepted without a query."""

    loaded: dict = {}

    def to_python(self, value):
        found = self.loaded.get(str(value))
        return found if found is not None else super().to_python(value)


class StaffChoiceField(LoadedChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.department}）"


class StaffMultipleChoiceField(BuiltOnUse, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.department}）"

    def clean(self, value):
        """A list of users; none chosen (most contacts) is an empty list, not
        an empty queryset that costs a query's compilation to read."""
        if not value and not self.required:
            return []
        return list(super().clean(value))


_annotated_residents: list = [None, None]  # (the annotations answered, the queryset built from them)


def _resident_list():
    """Residents, loaded with what the checks on save read (the apps' answers
    to ``hooks.contact_resident_annotations``; measures: whether a restriction
    is issued), so that checking the new contact needs no query of its own for
    most residents. The queryset is built again only when the answers change
    (a fifth of a millisecond a form otherwise); callers get a copy."""
    answers = contact_resident_annotations.collect()
    built_for, queryset = _annotated_residents
    if (
        built_for is None
        or len(built_for) != len(answers)
        or any(a is not b for a, b in zip(built_for, answers, strict=True))
    ):
        annotations = {name: expression for answer in answers for name, expression in answer.items()}
        queryset = Resident.objects.annotate(**annotations) if annotations else Resident.objects.all()
        _annotated_residents[:] = [answers, queryset]
    return queryset.all()


def _loaded_for(user) -> dict[str, dict]:
    """The signed-in user and their department, as the usual answers to the
    staff and department fields, where the user may name them."""
    staff = {str(user.pk): user} if staff_is_selectable(user=user, staff=user) else {}
    department = user.department if user.department_id else None  # loaded with the user (accounts.backends)
    visible = department is not None and department_is_visible(user=user, department=department)
    return {"staff": staff, "department": {str(department.pk): department} if visible else {}}


class ContactStartForm(forms.Form):
    """The one-click start: a channel, optionally a department and a resident."""

    channel = forms.ChoiceField(label=_("対応方法"))
    department = forms.ModelChoiceField(label=_("担当課"), queryset=Department.objects.none(), required=False)
    resident = forms.ModelChoiceField(label=_("住民等"), queryset=Resident.objects.all(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = current_policy().channel_choices()
        self.fields["department"].queryset = department_visible_list(user=user)


class ContactForm(forms.Form):
    """The contact record (対応記録票)."""

    channel = forms.ChoiceField(label=_("対応方法"))
    department = LoadedChoiceField(label=_("担当課"), queryset=None)
    place = forms.CharField(label=_("場所（窓口番号など）"), max_length=100, required=False)
    staff = StaffChoiceField(label=_("対応職員"), queryset=None)
    other_staff = StaffMultipleChoiceField(
        label=_("同席職員"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    resident = forms.ModelChoiceField(
        label=_("住民等"), queryset=Resident.objects.all(), required=False, widget=forms.HiddenInput
    )
    resident_description = forms.CharField(label=_("住民等の特徴（氏名不明の場合）"), max_length=200, required=False)
    started_at = forms.DateTimeField(label=_("開始日時"), input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET)
    ended_at = forms.DateTimeField(
        label=_("終了日時"), input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET, required=False
    )
    summary = forms.CharField(label=_("件名"), max_length=200, required=False)
    request_content = _text(_("意見等の内容"), help_text=_("何についての意見・要望・苦情か"))
    words_and_behaviour = _text(
        _("住民等の言動"),
        rows=6,
        help_text=_("発言は要約せず、そのまま「」で記録してください。態度・行動も記録します。"),
    )
    staff_response = _text(_("職員の対応"))
    outcome = _text(_("結果"), rows=3)
    harassment = forms.ChoiceField(
        label=_("カスタマーハラスメントの判断"), choices=HarassmentJudgement.choices, widget=forms.RadioSelect
    )
    categories = forms.MultipleChoiceField(label=_("該当する類型"), required=False, widget=forms.CheckboxSelectMultiple)
    content_unreasonable = forms.ChoiceField(
        label=_("内容が著しく妥当性を欠くか"),
        choices=[("", _("未回答")), *DefinitionAnswer.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    content_reason = _text(_("理由"), rows=2)
    manner_inappropriate = forms.ChoiceField(
        label=_("手段・態様が社会通念上不相当か"),
        choices=[("", _("未回答")), *DefinitionAnswer.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    manner_reason = _text(_("理由"), rows=2)
    harms = forms.MultipleChoiceField(label=_("生じた被害"), required=False, widget=forms.CheckboxSelectMultiple)
    harm_reason = _text(_("理由"), rows=2)
    restriction_exception_reason = _text(_("対応制限の条件外で対応した理由"), rows=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pack = current_policy()
        self.fields["channel"].choices = pack.channel_choices()
        self.fields["categories"].choices = pack.category_choices()
        self.fields["harms"].choices = pack.harm_choices()
        self.fields["resident"].queryset = _resident_list()
        loaded = _loaded_for(user)
        self.fields["department"].loaded = loaded["department"]
        self.fields["department"].build_queryset_with(functools.partial(department_visible_list, user=user))
        self.fields["staff"].loaded = loaded["staff"]
        for name in ("staff", "other_staff"):
            self.fields[name].build_queryset_with(functools.partial(staff_selectable_list, user=user))
        self.fields["content_unreasonable"].label = pack.definition.content_test
        self.fields["manner_inappropriate"].label = pack.definition.manner_test
        self.fields["harms"].label = pack.definition.harm_test

    def clean(self):
        """The guided definition check: an answer of "yes" needs the staff
        member's reason, and "harassment" cannot stand on (a) and (b) both "no"."""
        cleaned = super().clean()
        for answer, reason in (("content_unreasonable", "content_reason"), ("manner_inappropriate", "manner_reason")):
            if cleaned.get(answer) == DefinitionAnswer.YES and not (cleaned.get(reason) or "").strip():
                self.add_error(reason, _("「はい」とした理由を記入してください。"))
        if cleaned.get("harms") and not (cleaned.get("harm_reason") or "").strip():
            self.add_error("harm_reason", _("被害の内容を記入してください。"))
        if (
            cleaned.get("harassment") == HarassmentJudgement.YES
            and cleaned.get("content_unreasonable") == DefinitionAnswer.NO
            and cleaned.get("manner_inappropriate") == DefinitionAnswer.NO
        ):
            self.add_error(
                "harassment",
                _("(a)・(b)がともに「いいえ」の場合、基本方針のカスタマーハラスメントには該当しません。"),
            )
        return cleaned

    @classmethod
    def initial_for(cls, contact):
        data = ContactData.from_contact(contact)
        initial = {name: getattr(data, name) for name in data.__dataclass_fields__}
        initial["started_at"] = timezone.localtime(contact.started_at)
        initial["ended_at"] = timezone.localtime(contact.ended_at) if contact.ended_at else None
        initial["version"] = contact.version
        return initial

    def selected_resident(self):
        """The resident chosen in the picker (stored, or posted back), to show its name."""
        value = self["resident"].value()
        if isinstance(value, Resident) or not value:
            return value or None
        try:
            return Resident.objects.filter(pk=value).first()
        except (TypeError, ValueError):
            return None

    def contact_data(self) -> ContactData:
        values = dict(self.cleaned_data)
        values.pop("version", None)
        return ContactData(**values)


class ContactFilterForm(forms.Form):
    q = forms.CharField(label=_("キーワード"), required=False, max_length=200)
    date_from = forms.DateField(
        label=_("開始日（から）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("開始日（まで）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label=_("担当課"), queryset=Department.objects.none(), required=False)
    channel = forms.ChoiceField(label=_("対応方法"), required=False)
    category = forms.ChoiceField(label=_("類型"), required=False)
    harassment = forms.ChoiceField(
        label=_("ハラスメント判断"), required=False, choices=[("", _("すべて")), *HarassmentJudgement.choices]
    )
    staff = StaffChoiceField(label=_("対応職員"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pack = current_policy()
        self.fields["channel"].choices = [("", _("すべて")), *pack.channel_choices()]
        self.fields["category"].choices = [("", _("すべて")), *pack.category_choices()]
        self.fields["department"].queryset = department_visible_list(user=user)
        self.fields["staff"].queryset = staff_selectable_list(user=user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            raise forms.ValidationError(_("期間の終わりが始まりより前になっています。"))
        return cleaned

    def to_filter(self) -> ContactFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ContactFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            department_id=data["department"].pk if data.get("department") else None,
            channel=data.get("channel", ""),
            category=data.get("category", ""),
            harassment=data.get("harassment", ""),
            staff_id=data["staff"].pk if data.get("staff") else None,
            query=data.get("q", ""),
        )


class ContactDeleteForm(forms.Form):
    reason = forms.CharField(label=_("削除の理由"), max_length=300)
