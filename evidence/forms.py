"""Forms of the evidence pages: what staff say about the files they add, and the
purpose they give before a file is played, viewed or downloaded."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CustodyKind, EvidenceKind


class EvidenceAddForm(forms.Form):
    """What, by whom, when and where: said once for the files added together."""

    kind = forms.ChoiceField(
        label=_("証拠の種類"),
        required=False,
        choices=[("", _("ファイルの内容から自動で判定"))] + list(EvidenceKind.choices),
    )
    captured_by_name = forms.CharField(label=_("記録した人"), max_length=100, required=False)
    captured_at = forms.DateTimeField(
        label=_("記録日時（録音・撮影した日時）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"],
        error_messages={"invalid": _("記録日時は 2026-12-03 10:15 のように入力してください。")},
    )
    captured_place = forms.CharField(label=_("記録した場所"), max_length=200, required=False)
    description = forms.CharField(
        label=_("内容の説明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_captured_at(self):
        value = self.cleaned_data["captured_at"]
        if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("記録日時が未来になっています。"))
        return value


OPEN_CHOICES = [
    (CustodyKind.PLAYED, _("再生する")),
    (CustodyKind.VIEWED, _("表示する")),
    (CustodyKind.DOWNLOADED, _("ダウンロードする")),
]


class EvidenceOpenForm(forms.Form):
    """The purpose, asked before the file is opened (cities' recording rules ask for it)."""

    kind = forms.ChoiceField(choices=OPEN_CHOICES, widget=forms.HiddenInput)
    purpose = forms.CharField(
        label=_("目的"),
        max_length=200,
        error_messages={"required": _("再生・表示・ダウンロードの目的を入力してください。")},
        widget=forms.TextInput(attrs={"placeholder": _("例: 事案の経過確認のため"), "size": 30}),
    )
