from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Decision, FlagStatus


class FlagDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("判断"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("「繰り返しに該当」か「該当しない」を選んでください。")},
    )
    reason = forms.CharField(
        label=_("判断の理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("判断の理由を入力してください。")},
        help_text=_("正当な理由による連絡が多いだけの場合は「該当しない」としてください。理由は記録に残ります。"),
    )


STATUS_FILTERS = [("", _("すべて")), *FlagStatus.choices]


class FlagListFilterForm(forms.Form):
    """The list's narrowing by GET (the statistics link here): the rule, the days detected."""

    rule = forms.CharField(required=False, max_length=40)
    detected_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    detected_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def describe(self) -> dict:
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None)}
