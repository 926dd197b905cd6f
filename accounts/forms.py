from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .choices import DateStyle, ExportEncoding
from .models import ApiToken, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("ユーザー名またはパスワードが正しくありません。"),
        "inactive": _("このアカウントは無効です。"),
    }


class PreferencesForm(forms.Form):
    date_style = forms.ChoiceField(label=_("日付の表示"), choices=DateStyle.choices, widget=forms.RadioSelect)
    export_encoding = forms.ChoiceField(
        label=_("一覧を CSV に書き出すときの文字コード"),
        choices=ExportEncoding.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "一覧の「CSV（UTF-8）」「CSV（Shift_JIS）」でその都度選べます。ここでは、選ばなかったときの文字コードを決めます。"
        ),
    )


class TokenIssueForm(forms.Form):
    """A token for a service account (連携用アカウント), requested by one administrator and
    approved by another: never for a member of staff, who would then be impersonated."""

    user = forms.ModelChoiceField(
        label=_("連携用アカウント"),
        queryset=User.objects.filter(is_active=True, is_service_account=True),
        help_text=_("連携用アカウントは「利用者・所属の管理」で作成します（画面にはログインできません）。"),
    )
    name = forms.CharField(label=_("用途"), max_length=100, help_text=_("例: 通話録音システム連携"))
    scope = forms.ChoiceField(
        label=_("権限"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ, widget=forms.RadioSelect
    )
    areas = forms.MultipleChoiceField(
        label=_("対象"),
        choices=ApiToken.Area.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばなければすべて。"),
    )
    days = forms.IntegerField(label=_("有効期間（日）"), min_value=1)
    allowed_addresses = forms.CharField(
        label=_("利用を許可するアドレス"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("1行に1つ（例: 192.0.2.10 または 192.0.2.0/24）。空欄は制限なし。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        max_days = settings.MAMORU_API_TOKEN_MAX_DAYS  # read per form: a setting changed in tests applies
        self.fields["days"] = forms.IntegerField(
            label=_("有効期間（日）"), min_value=1, max_value=max_days, initial=max_days
        )
