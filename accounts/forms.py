from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .choices import DateStyle
from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "ユーザー名またはパスワードが正しくありません。",
        "inactive": "このアカウントは無効です。",
    }


class PreferencesForm(forms.Form):
    date_style = forms.ChoiceField(label="日付の表示", choices=DateStyle.choices, widget=forms.RadioSelect)


class TokenIssueForm(forms.Form):
    user = forms.ModelChoiceField(label="利用者", queryset=User.objects.filter(is_active=True))
    name = forms.CharField(label="用途", max_length=100, help_text="例: 通話録音システム連携")
