"""Forms for cases. They only parse input; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import staff_selectable_list
from mamoru.policy.loader import current as current_policy
from records.forms import DATETIME_FORMATS, DATETIME_WIDGET, StaffChoiceField


class CaseStateForm(forms.Form):
    state = forms.CharField(max_length=40)
    reason = forms.CharField(
        label=_("理由・経過のまとめ"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseStepForm(forms.Form):
    """One step on the timeline; the police fields are used by steps that ask for them."""

    step = forms.CharField(max_length=40)
    note = forms.CharField(label=_("メモ"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = forms.DateTimeField(
        label=_("日時（空欄は現在）"), required=False, input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET
    )
    station = forms.CharField(label=_("通報先（110番または警察署名）"), required=False, max_length=200)
    officer = forms.CharField(label=_("対応した警察官"), required=False, max_length=200)
    reference = forms.CharField(label=_("受理番号"), required=False, max_length=200)

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in ("station", "officer", "reference")}


class CaseHandlerForm(forms.Form):
    handler = StaffChoiceField(label=_("担当者"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = staff_selectable_list(user=user)


class FollowUpForm(forms.Form):
    staff = StaffChoiceField(label=_("職員"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("ケアの内容"))
    due_date = forms.DateField(label=_("期限"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("メモ"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    past_due_confirmed = forms.BooleanField(
        label=_("期限が過去の日付でも記録する"),
        required=False,
        help_text=_(
            "通常は今日以降の期限を入力します。過去の期限で記録したケアは、最初から期限切れとして表示されます。"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_selectable_list(user=user)
        self.fields["kind"].choices = current_policy().follow_up_kind_choices()


class FollowUpCompleteForm(forms.Form):
    note = forms.CharField(label=_("メモ"), required=False, max_length=2000)


class CaseListFilterForm(forms.Form):
    """The case list's narrowing by GET (the statistics link here with the period's
    filters): the pack state, the department, the day reported, open on a day."""

    case_state = forms.CharField(required=False, max_length=40)
    department = forms.IntegerField(required=False, min_value=1)
    opened_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    opened_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    open_on = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean_case_state(self):
        code = self.cleaned_data["case_state"]
        if code and code not in current_policy().case_state_codes():
            raise forms.ValidationError(_("状態「%(code)s」はポリシーパックにありません。"), params={"code": code})
        return code

    def describe(self) -> dict:
        """The filters in use, for the audit entry and the page's note."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None)}
