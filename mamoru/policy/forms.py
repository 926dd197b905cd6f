from django import forms


class PolicyPackUploadForm(forms.Form):
    pack_file = forms.FileField(label="ポリシーパック（TOML ファイル）")

    def source(self) -> str:
        raw = self.cleaned_data["pack_file"].read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("ファイルは UTF-8 で保存してください。") from exc
