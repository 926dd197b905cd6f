from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from mamoru.forms import NarrowingForm

from .choices import Channel, Outcome

DATE = forms.DateInput(attrs={"type": "date"})


def _staff():
    return (
        User.objects.filter(is_active=True, is_service_account=False)
        .exclude(role=Role.ADMINISTRATOR)
        .order_by("department__sort_order", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.department or '-'}）"


class StaffMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.department or '-'}）"


class IntakeForm(forms.Form):
    business_name = forms.CharField(label=_("事業者名"), max_length=200)
    contact_person = forms.CharField(label=_("事業者の担当者"), max_length=100)
    contact_details = forms.CharField(label=_("連絡先（電話・メール・住所）"), max_length=300)
    channel = forms.ChoiceField(label=_("受付方法"), choices=Channel.choices)
    received_on = forms.DateField(label=_("受付日"), widget=DATE)
    incident_on = forms.DateField(label=_("発生日"), widget=DATE, required=False)
    incident_place = forms.CharField(label=_("発生場所"), max_length=200, required=False)
    description = forms.CharField(label=_("申入れの内容（何があったか）"), widget=forms.Textarea(attrs={"rows": 4}))
    staff = StaffMultipleField(
        label=_("対象職員（分かる場合）"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    staff_description = forms.CharField(
        label=_("対象職員の特徴（氏名が分からない場合）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_description = forms.CharField(
        label=_("受け取った証拠"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("いまは内容の説明のみを記録します（ファイルの証拠保管庫への登録は今後対応）。"),
    )
    asked_for = forms.CharField(label=_("事業者の要望"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = _staff()


class AssignForm(forms.Form):
    handler = StaffChoiceField(label=_("担当者（専門部署）"), queryset=User.objects.none())
    managers = StaffMultipleField(
        label=_("関係する管理職（閲覧・措置の決定）"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = User.objects.filter(is_active=True, role=Role.SPECIALIST)
        self.fields["managers"].queryset = User.objects.filter(is_active=True, role=Role.MANAGER)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("調査記録"), widget=forms.Textarea(attrs={"rows": 3}))


class HearingForm(forms.Form):
    staff = StaffChoiceField(label=_("対象職員"), queryset=User.objects.none())
    held_on = forms.DateField(label=_("聴取日"), widget=DATE)
    account = forms.CharField(label=_("本人の説明（弁明）"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = request.staff.all() if request is not None else User.objects.none()


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("調査結果"), choices=Outcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("判断の理由"), widget=forms.Textarea(attrs={"rows": 3}))


class MeasuresForm(forms.Form):
    guidance = forms.BooleanField(label=_("指導"), required=False)
    training = forms.BooleanField(label=_("研修"), required=False)
    note = forms.CharField(label=_("措置の内容（取らない場合はその理由）"), widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    sent_on = forms.DateField(label=_("回答日"), widget=DATE)
    summary = forms.CharField(label=_("回答の内容"), widget=forms.Textarea(attrs={"rows": 4}))
    issue_letter = forms.BooleanField(
        label=_("回答書（PDF、文書番号付き）を発出する"),
        required=False,
        initial=True,
        help_text=_("電話など文書によらず回答した場合は外してください。"),
    )
    address = forms.CharField(label=_("回答書の宛先住所"), max_length=300, required=False)


# The outcome filter's value for a request not yet decided (its stored outcome is blank).
UNDECIDED = "undecided"


class RequestListFilterForm(NarrowingForm):
    """The list's narrowing by GET (the statistics link here): the step, the outcome, the
    department of a staff member named (today's), the days received."""

    state = forms.CharField(required=False, max_length=20)
    outcome = forms.CharField(required=False, max_length=20)
    department = forms.IntegerField(required=False, min_value=1)
    received_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    received_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
