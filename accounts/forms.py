from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .choices import DateStyle
from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("ユーザー名またはパスワードが正しくありません。"),
        "inactive": _("このアカウントは無効です。"),
    }


class PreferencesForm(forms.Form):
    date_style = forms.ChoiceField(label=_("日付の表示"), choices=DateStyle.choices, widget=forms.RadioSelect)


class TokenIssueForm(forms.Form):
    user = forms.ModelChoiceField(label=_("利用者"), queryset=User.objects.filter(is_active=True))
    name = forms.CharField(label=_("用途"), max_length=100, help_text=_("例: 通話録音システム連携"))
