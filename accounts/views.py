from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.middleware import client_address
from audit.services import audit_record

from . import services
from .forms import LoginForm, PreferencesForm, TokenIssueForm
from .models import ApiToken
from .permissions import require_administrator

BLOCKED_MESSAGE = gettext_lazy(
    "ログインの失敗が続いたため、しばらくログインできません。"
    "時間をおいて再度お試しいただくか、システム管理者に連絡してください。"
)


def login_view(request):
    form = LoginForm(request, data=request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        address = client_address(request)
        if services.login_is_blocked(username=username, address=address):
            audit_record(actor=None, actor_name=username[:150], action="accounts.login.blocked")
            # A fresh form: validating the posted one would check the password
            # (an Argon2 hash per blocked attempt) for nothing.
            form = LoginForm(request, initial={"username": username})
            return render(
                request, "accounts/login.html", {"form": form, "blocked": BLOCKED_MESSAGE, "next": next_url}, status=429
            )
        if form.is_valid():
            user = form.get_user()
            login(request, user)
            services.login_attempt_record(username=username, address=address, succeeded=True, user=user)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            return redirect(next_url or "/")
        services.login_attempt_record(username=username, address=address, succeeded=False)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="accounts.logout", obj=request.user)
    logout(request)
    messages.info(request, _("ログアウトしました。"))
    return redirect("accounts:login")


def preferences(request):
    form = PreferencesForm(request.POST or None, initial={"date_style": request.user.date_style})
    if request.method == "POST" and form.is_valid():
        services.user_set_date_style(actor=request.user, date_style=form.cleaned_data["date_style"])
        messages.success(request, _("表示設定を保存しました。"))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


def _require_administrator(request):
    require_administrator(request.user, _("システム管理者のみが利用できます。"))


def administration(request):
    _require_administrator(request)
    return render(request, "accounts/administration.html")


def token_list(request):
    """Tokens for service accounts: request (one administrator), approve (another), revoke;
    every token listed with its scope, expiry and last use (time and address)."""
    _require_administrator(request)
    form = TokenIssueForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, new_key = services.token_issue(
                actor=request.user,
                user=data["user"],
                name=data["name"],
                scope=data["scope"],
                areas=data["areas"],
                days=data["days"],
                allowed_addresses=data["allowed_addresses"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
                for field, errors in error.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _(
                    "トークン「{name}」を申請しました。別のシステム管理者が承認すると使えます。"
                    "キーはこの画面を離れると再表示できません。"
                ).format(name=token.name),
            )
    tokens = ApiToken.objects.select_related("user", "created_by", "approved_by")
    return render(request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key})


@require_POST
def token_approve(request, pk):
    _require_administrator(request)
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        services.token_approve(actor=request.user, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("トークン「{name}」を承認しました。").format(name=token.name))
    return redirect("accounts:token_list")


@require_POST
def token_revoke(request, pk):
    _require_administrator(request)
    token = get_object_or_404(ApiToken, pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("トークン「{name}」を失効させました。").format(name=token.name))
    return redirect("accounts:token_list")
