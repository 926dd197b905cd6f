from django import forms

from .choices import ACTION_LABELS


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="利用者", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False)
    object_type = forms.ChoiceField(
        label="対象",
        required=False,
        choices=[
            ("", "すべて"),
            ("records.contact", "対応記録"),
            ("people.resident", "住民等"),
            ("accounts.user", "利用者"),
            ("accounts.apitoken", "APIトークン"),
        ],
    )
    object_id = forms.CharField(label="対象ID", required=False, max_length=40)
    date_from = forms.DateField(label="日付（から）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="日付（まで）", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "すべて"), *sorted(ACTION_LABELS.items(), key=lambda item: item[0])]
