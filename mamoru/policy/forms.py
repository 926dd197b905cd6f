from django import forms
from django.utils.translation import gettext_lazy as _


class PolicyPackUploadForm(forms.Form):
    pack_file = forms.FileField(label=_("ポリシーパック（TOML ファイル）"))

    def source(self) -> str:
        raw = self.cleaned_data["pack_file"].read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("ファイルは UTF-8 で保存してください。")) from exc
