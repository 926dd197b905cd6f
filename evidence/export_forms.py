"""Forms of the export stream: the purpose and recipient of an export, and a hand-over to the police."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    purpose = forms.CharField(
        label=_("書き出しの目的"),
        max_length=200,
        help_text=_("保管記録に残ります。例: 被害届の提出、弁護士への相談"),
        error_messages={"required": _("書き出しの目的を入力してください。")},
    )
    recipient = forms.CharField(
        label=_("提出先"), max_length=200, required=False, help_text=_("例: 大田原警察署 生活安全課、○○法律事務所")
    )


class HandoverForm(forms.Form):
    officer = forms.CharField(
        label=_("受け取った警察官の氏名"),
        max_length=100,
        error_messages={"required": _("受け取った警察官の氏名を入力してください。")},
    )
    officer_rank = forms.CharField(label=_("階級・役職"), max_length=50, required=False)
    station = forms.CharField(
        label=_("警察署"),
        max_length=200,
        help_text=_("例: 大田原警察署 生活安全課"),
        error_messages={"required": _("警察署名を入力してください。")},
    )
    reference = forms.CharField(label=_("受理番号"), max_length=100, required=False)
    handed_on = forms.DateField(
        label=_("提出日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("提出日を入力してください。"), "invalid": _("提出日を正しく入力してください。")},
    )
    evidence = forms.TypedMultipleChoiceField(
        label=_("提出した証拠"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("提出した証拠を1件以上選んでください。")},
    )
    note = forms.CharField(label=_("メモ"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, evidence_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = list(evidence_choices)
        self.fields["handed_on"].initial = timezone.localdate()
