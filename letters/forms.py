from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import placeholders


class LetterTemplateForm(forms.Form):
    title = forms.CharField(label=_("表題"), max_length=100)
    body = forms.CharField(
        label=_("本文"),
        widget=forms.Textarea(attrs={"rows": 28, "class": "letter-body"}),
        strip=False,
        help_text=_(
            "差し込み項目は {文書番号} のように半角の波かっこで囲みます。"
            "「記」だけの行は中央に、「以上」だけの行は右に寄せて印字します。"
        ),
    )

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n").rstrip()
        if not body.strip():
            raise ValidationError(_("本文を入力してください。"))
        errors = placeholders.check(body)
        if errors:
            raise ValidationError(errors)
        return body
