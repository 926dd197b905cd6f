"""Forms for measures. They only parse input; the rules are in services."""

from collections import Counter

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import Department, User
from mamoru.policy.loader import current as current_policy

from .choices import WEEKDAY_NAMES, AppealOutcome
from .terms import MeasureTerms, RestrictionConditions

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.department or ''}）"


class MeasureForm(forms.Form):
    """Drafting or correcting a measure (起案)."""

    kind = forms.ChoiceField(label=_("措置"))
    # Drawn as a table (date in the user's style, department, channel, judgement, categories).
    contacts = forms.ModelMultipleChoiceField(
        label=_("理由となる対応記録"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("理由となる対応記録を1件以上選んでください。")},
    )
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 5}))
    facts = forms.CharField(
        label=_("事実（通知文書の「事実」）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "1件1行で、日付・対応方法・住民等の言動を書きます（通知文書にそのまま記載します）。"
            "空欄で保存すると、選んだ対応記録の日付・対応方法・住民等の言動から下書きします。"
            "件名など内部の記載は使いません。"
        ),
    )
    requests = forms.CharField(
        label=_("今後守っていただく事項"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("1件1行で書きます。警告書の「今後守っていただく事項」に記載します（警告では必須）。"),
    )
    lead_department = forms.ModelChoiceField(label=_("主管課"), queryset=Department.objects.filter(is_active=True))
    starts_on = forms.DateField(label=_("開始日"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("終了日"), widget=DATE_WIDGET, required=False)
    review_on = forms.DateField(label=_("見直し日"), widget=DATE_WIDGET, required=False)
    reminder_days_before_review = forms.IntegerField(label=_("見直しの通知（何日前）"), initial=14, min_value=0)
    written_only = forms.BooleanField(label=_("書面でのやり取りに限る"), required=False)
    written_channels = forms.MultipleChoiceField(
        label=_("書面として認める対応方法"), required=False, widget=forms.CheckboxSelectMultiple
    )
    designated_staff = StaffChoiceField(
        label=_("対応する指定職員"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_minutes = forms.IntegerField(label=_("1回の対応時間の上限（分）"), required=False, min_value=1)
    allowed_weekdays = forms.TypedMultipleChoiceField(
        label=_("対応する曜日"),
        required=False,
        coerce=int,
        choices=[(i, name) for i, name in enumerate(WEEKDAY_NAMES)],
        widget=forms.CheckboxSelectMultiple,
    )
    allowed_from = forms.TimeField(label=_("対応時間帯（から）"), required=False, widget=TIME_WIDGET)
    allowed_until = forms.TimeField(label=_("対応時間帯（まで）"), required=False, widget=TIME_WIDGET)
    counter_department = forms.ModelChoiceField(
        label=_("対応する窓口（課）"), queryset=Department.objects.filter(is_active=True), required=False
    )

    RESTRICTION_FIELDS = (
        "written_only",
        "written_channels",
        "designated_staff",
        "max_minutes",
        "allowed_weekdays",
        "allowed_from",
        "allowed_until",
        "counter_department",
    )

    def __init__(self, *args, contacts, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        pack = current_policy()
        self.fields["kind"].choices = pack.measure_choices()
        self.fields["contacts"].queryset = contacts
        self.fields["written_channels"].choices = pack.channel_choices()
        self.fields["designated_staff"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(role=Role.ADMINISTRATOR)
            .select_related("department")
            .order_by("department__sort_order", "department__name", "full_name", "username")
        )
        self.fields["max_minutes"].help_text = _("基本方針の上限（{limit}分）より短くしてください。").format(
            limit=pack.response_time.limit_minutes
        )
        if editing:
            self.fields["kind"].disabled = True
            self.fields["kind"].required = False

    def designated_staff_groups(self) -> list[tuple[str, bool, list]]:
        """The designated-staff checkboxes grouped by department: (name, related,
        checkboxes), the departments the resident's contacts were with first
        (most contacts first), then the others in their usual order."""
        contacts = self.fields["contacts"].queryset
        counts = Counter(contacts.values_list("department_id", flat=True)) if contacts is not None else Counter()
        groups: dict[object, tuple[str, int, list]] = {}
        for index, box in enumerate(self["designated_staff"]):
            user = box.data["value"].instance
            key = user.department_id
            name = user.department.name if user.department_id else _("所属なし")
            groups.setdefault(key, (str(name), index, []))[2].append(box)
        ordered = sorted(groups.items(), key=lambda item: (-counts.get(item[0], 0), item[1][1]))
        return [(name, counts.get(key, 0) > 0, boxes) for key, (name, _first, boxes) in ordered]

    def conditions(self) -> RestrictionConditions:
        data = self.cleaned_data
        return RestrictionConditions(
            written_only=bool(data.get("written_only")),
            written_channels=list(data.get("written_channels") or []),
            designated_staff=list(data.get("designated_staff") or []),
            max_minutes=data.get("max_minutes"),
            allowed_weekdays=list(data.get("allowed_weekdays") or []),
            allowed_from=data.get("allowed_from"),
            allowed_until=data.get("allowed_until"),
            counter_department=data.get("counter_department"),
        )

    def terms(self) -> MeasureTerms:
        data = self.cleaned_data
        return MeasureTerms(
            reasons=data["reasons"],
            contacts=list(data["contacts"]),
            lead_department=data["lead_department"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            review_on=data.get("review_on"),
            reminder_days_before_review=data["reminder_days_before_review"],
            conditions=self.conditions(),
            facts=data.get("facts") or "",
            requests=data.get("requests") or "",
        )

    @classmethod
    def initial_for(cls, measure) -> dict:
        return {
            "kind": measure.kind,
            "contacts": list(measure.contacts.all()),
            "reasons": measure.reasons,
            "facts": measure.letter_facts,
            "requests": measure.letter_requests,
            "lead_department": measure.lead_department,
            "starts_on": measure.starts_on,
            "ends_on": measure.ends_on,
            "review_on": measure.review_on,
            "reminder_days_before_review": measure.reminder_days_before_review,
            "written_only": measure.written_only,
            "written_channels": measure.written_channels,
            "designated_staff": list(measure.designated_staff.all()),
            "max_minutes": measure.max_minutes,
            "allowed_weekdays": measure.allowed_weekdays,
            "allowed_from": measure.allowed_from,
            "allowed_until": measure.allowed_until,
            "counter_department": measure.counter_department,
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("コメント"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回の理由"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    received_on = forms.DateField(label=_("受付日"), widget=DATE_WIDGET)
    content = forms.CharField(label=_("申出の内容"), widget=forms.Textarea(attrs={"rows": 4}))


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("結果"), choices=[c for c in AppealOutcome.choices if c[0]], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("判断の理由"), widget=forms.Textarea(attrs={"rows": 3}))


class MeasureListFilterForm(forms.Form):
    """The measure list's narrowing by GET (the statistics link here with the period's
    filters): the rung, the lead department, the days drafted and issued."""

    kind = forms.CharField(required=False, max_length=40)
    department = forms.IntegerField(required=False, min_value=1)
    drafted_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    drafted_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    issued_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    issued_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean_kind(self):
        code = self.cleaned_data["kind"]
        if code and current_policy().measure(code) is None:
            raise forms.ValidationError(
                _("措置の種類「%(code)s」はポリシーパックにありません。"), params={"code": code}
            )
        return code

    def describe(self) -> dict:
        """The filters in use, for the audit entry, the page's note and the hidden fields."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None)}
