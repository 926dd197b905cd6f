from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ACTION_LABELS


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("利用者"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False)
    object_type = forms.ChoiceField(
        label=_("対象"),
        required=False,
        choices=[
            ("", _("すべて")),
            ("records.contact", _("対応記録")),
            ("people.resident", _("住民等")),
            ("accounts.user", _("利用者")),
            ("accounts.apitoken", _("APIトークン")),
        ],
    )
    object_id = forms.CharField(label=_("対象ID"), required=False, max_length=40)
    date_from = forms.DateField(label=_("日付（から）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("日付（まで）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("すべて")), *sorted(ACTION_LABELS.items(), key=lambda item: item[0])]
