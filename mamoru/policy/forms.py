from django import forms
from django.utils.translation import gettext_lazy as _


class PolicyPackUploadForm(forms.Form):
    pack_file = forms.FileField(label=_("ポリシーパック（TOML ファイル）"))

    def clean_pack_file(self):
        from .schema import MAX_PACK_CHARACTERS

        pack_file = self.cleaned_data["pack_file"]
        # UTF-8 takes up to 3 bytes for a Japanese character.
        if pack_file.size > MAX_PACK_CHARACTERS * 3:
            raise forms.ValidationError(
                _("ファイルが大きすぎます（上限 {limit} KB）。").format(limit=MAX_PACK_CHARACTERS * 3 // 1024)
            )
        return pack_file

    def source(self) -> str:
        raw = self.cleaned_data["pack_file"].read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("ファイルは UTF-8 で保存してください。")) from exc
