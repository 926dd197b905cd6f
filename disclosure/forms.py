from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    CorrectionDecision,
    Decision,
    DeliveryMethod,
    IdentityDocument,
    RequestChannel,
    RequesterKind,
    WithholdingGround,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The withholding form's choice for every staff member's name at once.
STAFF_NAMES = "__staff_names__"


class DisclosureRequestForm(forms.Form):
    received_on = forms.DateField(label=_("受付日"), widget=DATE, initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("請求の方法"), choices=RequestChannel.choices)
    requester_kind = forms.ChoiceField(label=_("請求者の区分"), choices=RequesterKind.choices)
    representative_name = forms.CharField(
        label=_("代理人の氏名"), max_length=100, required=False, help_text=_("代理人による請求のときのみ。")
    )
    identity_document = forms.ChoiceField(
        label=_("本人確認書類"),
        choices=IdentityDocument.choices,
        help_text=_("書類の番号（免許証番号・個人番号など）は記録しないでください。"),
    )
    identity_note = forms.CharField(label=_("本人確認の備考"), max_length=300, required=False)
    content = forms.CharField(
        label=_("請求する保有個人情報"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("開示請求書に記載された内容（例：私に関する対応記録その他市が保有する情報のすべて）。"),
    )
    delivery_method = forms.ChoiceField(label=_("交付の方法"), choices=DeliveryMethod.choices)


class WithholdingForm(forms.Form):
    target = forms.ChoiceField(label=_("不開示とする部分"))
    ground = forms.ChoiceField(label=_("不開示情報の区分"), choices=WithholdingGround.choices)
    reason = forms.CharField(label=_("不開示の理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, snapshot=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("選んでください")), (STAFF_NAMES, _("職員の氏名（すべて）"))]
        for section in snapshot:
            group = []
            for item in section.get("items", []):
                group.append((f"{item['key']}|", f"{item['title']}（{_('全体')}）"))
                labels = []
                for field in item.get("fields", []):
                    if field.get("label") not in labels:
                        labels.append(field.get("label"))
                group += [(f"{item['key']}|{label}", f"{item['title']}：{label}") for label in labels]
            if group:
                choices.append((section.get("title", ""), group))
        self.fields["target"].choices = choices

    def target_parts(self) -> tuple[str, str]:
        item_key, _sep, label = self.cleaned_data["target"].partition("|")
        return item_key, label


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("決定"), choices=Decision.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("決定日"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(
        label=_("決定の理由"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不開示のときは必須（例：請求に係る保有個人情報を保有していないため）。"),
    )


class ExtensionForm(forms.Form):
    extension_reason = forms.CharField(
        label=_("延長の理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("請求者に書面で通知する理由です（例：対象となる記録が多数の課にわたり、確認に時間を要するため）。"),
    )


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("交付日"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("交付の備考"), max_length=2000, required=False)


class CorrectionForm(forms.Form):
    received_on = forms.DateField(label=_("受付日"), widget=DATE, initial=timezone.localdate)
    identity_document = forms.ChoiceField(label=_("本人確認書類"), choices=IdentityDocument.choices)
    target = forms.ChoiceField(label=_("訂正を求める記録"))
    other_title = forms.CharField(label=_("記録の名称（「その他」のとき）"), max_length=200, required=False)
    current_text = forms.CharField(
        label=_("現在の記録"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    requested_text = forms.CharField(
        label=_("訂正を求める内容"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    grounds = forms.CharField(label=_("訂正を求める理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = dict(targets)
        self.fields["target"].choices = [("", _("選んでください")), *targets, ("__other__", _("その他の記録"))]

    def clean(self):
        data = super().clean()
        if data.get("target") == "__other__" and not (data.get("other_title") or "").strip():
            self.add_error("other_title", _("記録の名称を入力してください。"))
        return data


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("決定"), choices=CorrectionDecision.choices, widget=forms.RadioSelect)
    corrected_text = forms.CharField(
        label=_("訂正後の内容・付記"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "訂正するとき。空欄なら請求のとおりに訂正します。登録情報以外の記録は書き換えず、この内容を付記します。"
        ),
    )
    reason = forms.CharField(label=_("決定の理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
