"""Forms for contacts. They parse input; the rules are in ``records.rules``,
which the services apply (the contact form shows their messages too)."""

import datetime as dt
import functools

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.selectors import (
    department_is_visible,
    department_visible_list,
    staff_is_selectable,
    staff_selectable_list,
)
from mamoru.lib.dates import safe_localtime
from mamoru.policy.loader import current as current_policy
from people.models import Resident

from .choices import HarassmentJudgement
from .fields import CHOICE, CODES, CONTACT_FIELDS, MOMENT, RELATION, SHORT_TEXT, STAFF_LIST, ContactField
from .hooks import contact_resident_annotations
from .rules import contact_rule_errors
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


def _contact_form_field(spec: ContactField) -> forms.Field:
    """The form's field for a recorded field, from its declaration."""
    label = _("理由") if spec.reason_for else spec.label  # a reason sits under its question
    if spec.kind == RELATION:
        if spec.name == "resident":
            return forms.ModelChoiceField(
                label=label, queryset=Resident.objects.all(), required=False, widget=forms.HiddenInput
            )
        field_class = StaffChoiceField if spec.lookup == "username" else LoadedChoiceField
        return field_class(label=label, queryset=None, required=spec.required)
    if spec.kind == STAFF_LIST:
        return StaffMultipleChoiceField(label=label, queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    if spec.kind == MOMENT:
        return forms.DateTimeField(
            label=label, input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET, required=spec.required
        )
    if spec.kind == SHORT_TEXT:
        return forms.CharField(label=label, max_length=spec.max_length, required=False, help_text=spec.help_text)
    if spec.is_text:
        return _text(label, rows=spec.rows, help_text=spec.help_text)
    if spec.kind == CHOICE:
        if spec.blank_choice:
            return forms.ChoiceField(
                label=label,
                choices=[("", _("未回答")), *spec.choices.choices],
                required=False,
                widget=forms.RadioSelect,
            )
        if spec.choices:
            return forms.ChoiceField(label=label, choices=spec.choices.choices, widget=forms.RadioSelect)
        return forms.ChoiceField(label=label)  # the pack's choices, set when the form is made
    if spec.kind == CODES:
        return forms.MultipleChoiceField(label=label, required=False, widget=forms.CheckboxSelectMultiple)
    raise ValueError(f"no form field for the kind {spec.kind!r} of {spec.name}")


class _ContactFormBase(forms.Form):
    """The contact form's behaviour; ``ContactForm`` adds a field for each declared field."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pack = current_policy()
        for spec in CONTACT_FIELDS:
            if spec.pack_choices:
                self.fields[spec.name].choices = getattr(pack, spec.pack_choices)()
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
        """The rules of the record (``records.rules``, which the service applies
        again on saving), shown next to their fields: a field whose own input
        could not be read keeps that message alone."""
        cleaned = super().clean()
        values = {}
        for spec in CONTACT_FIELDS:
            value = cleaned.get(spec.name)
            if value is None and spec.kind not in (RELATION, MOMENT):
                value = "" if spec.kind == CHOICE else spec.default_value()
            values[spec.name] = value
        for name, message in contact_rule_errors(ContactData(**values), pack=current_policy()).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    @classmethod
    def initial_for(cls, contact):
        data = ContactData.from_contact(contact)
        initial = {name: getattr(data, name) for name in data.__dataclass_fields__}
        initial["started_at"] = safe_localtime(contact.started_at)
        initial["ended_at"] = safe_localtime(contact.ended_at)
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


ContactForm = type(_ContactFormBase)(
    "ContactForm",
    (_ContactFormBase,),
    {
        "__module__": __name__,
        "__doc__": "The contact record (対応記録票): a field for each of ``records.fields.CONTACT_FIELDS``.",
        **{spec.name: _contact_form_field(spec) for spec in CONTACT_FIELDS},
        "version": forms.IntegerField(widget=forms.HiddenInput, required=False),
    },
)


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
    # Reached from the staff exposure page (issue 16).
    other_staff = StaffChoiceField(label=_("同席職員"), queryset=User.objects.none(), required=False)
    involved = StaffChoiceField(label=_("対応または同席した職員"), queryset=User.objects.none(), required=False)
    # Reached from the figures (issue 16); not on the form staff fill in.
    hour = forms.TypedChoiceField(
        label=_("開始時間帯"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("すべて")), *((h, f"{h}時台") for h in range(24))],
    )
    weekday = forms.TypedChoiceField(
        label=_("曜日"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("すべて")), *((i, f"{d}曜日") for i, d in enumerate("月火水木金土日", start=1))],
    )
    over_limit = forms.BooleanField(label=_("対応時間の上限を超えたもの"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pack = current_policy()
        self.fields["channel"].choices = [("", _("すべて")), *pack.channel_choices()]
        self.fields["category"].choices = [("", _("すべて")), *pack.category_choices()]
        self.fields["department"].queryset = department_visible_list(user=user)
        self.fields["staff"].queryset = staff_selectable_list(user=user)
        self.fields["other_staff"].queryset = staff_selectable_list(user=user)
        self.fields["involved"].queryset = staff_selectable_list(user=user)

    # A period outside these is a typing mistake (9999-12-31 overflowed the search).
    DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        first, last = self.DATE_RANGE
        if day is not None and not first <= day <= last:
            raise forms.ValidationError(
                _("期間は{first}年から{last}年までの日付で指定してください。").format(first=first.year, last=last.year)
            )
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean_q(self):
        query = self.cleaned_data.get("q", "")
        words = len(query.split())
        if words > settings.MAMORU_SEARCH_MAX_WORDS:
            raise forms.ValidationError(
                _("キーワードは{limit}語までにしてください（現在{words}語）。").format(
                    limit=settings.MAMORU_SEARCH_MAX_WORDS, words=words
                )
            )
        return query

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
            other_staff_id=data["other_staff"].pk if data.get("other_staff") else None,
            involved_staff_id=data["involved"].pk if data.get("involved") else None,
            query=data.get("q", ""),
            hour=data.get("hour"),
            weekday=data.get("weekday"),
            over_limit=bool(data.get("over_limit")),
        )


class ContactJudgementForm(forms.Form):
    """A supervisor's decision on a contact recorded as 判断に迷う."""

    harassment = forms.ChoiceField(
        label=_("判断"),
        choices=[(HarassmentJudgement.YES, _("該当する")), (HarassmentJudgement.NO, _("該当しない"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("「該当する」か「該当しない」を選んでください。")},
    )
    categories = forms.MultipleChoiceField(label=_("該当する類型"), required=False, widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(
        label=_("判断の理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "基本方針の定義（内容・手段や態様・被害）に照らした理由を記入してください。記録の変更履歴に残ります。"
        ),
        error_messages={"required": _("判断の理由を入力してください。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = current_policy().category_choices()


class ContactDeleteForm(forms.Form):
    reason = forms.CharField(label=_("削除の理由"), max_length=300)
