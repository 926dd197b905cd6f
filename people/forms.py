from django import forms
from django.utils.translation import gettext_lazy as _


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("氏名"), max_length=100)
    name_kana = forms.CharField(label=_("氏名（かな）"), max_length=100, required=False)
    phones = forms.CharField(
        label=_("電話番号"),
        required=False,
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("1行に1つ。ハイフンや全角数字のままでも構いません。"),
    )
    address = forms.CharField(label=_("住所"), max_length=300, required=False)
    notes = forms.CharField(label=_("備考"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["phones"] = [line for line in data["phones"].splitlines() if line.strip()]
        return data

    @staticmethod
    def initial_for(resident) -> dict:
        return {
            "name": resident.name,
            "name_kana": resident.name_kana,
            "phones": "\n".join(phone.number for phone in resident.phones.all()),
            "address": resident.address,
            "notes": resident.notes,
        }


class ResidentMergeForm(forms.Form):
    """The specialist's confirmation of a merge: which record is kept, and why."""

    keep = forms.TypedChoiceField(label=_("残す記録"), coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("統合の理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("同一人物と判断した根拠（本人確認の方法など）を記入してください。"),
    )

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (resident.pk, _("「{name}」（住民等 No.{pk}）を残す").format(name=resident.name, pk=resident.pk))
            for resident in residents
        ]


class ResidentMergeUndoForm(forms.Form):
    """The reason for undoing a merge."""

    reason = forms.CharField(label=_("取消の理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
