from django.conf import settings
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

from . import services, throttle
from .forms import LoginForm, PreferencesForm, TokenIssueForm
from .models import ApiToken
from .permissions import require_administrator
from .sessions import session_stamp

BLOCKED_MESSAGE = gettext_lazy("ログインの失敗が続いたため、しばらくログインできません。")
REFUSED_ADVICE = {
    "account": gettext_lazy(
        "このアカウントでいつもログインしている端末（ブラウザー）からは、引き続きログインできます。"
        "ほかの端末からは{minutes}分ほど待ってから再度お試しください。"
        "心当たりがない場合は、システム管理者に連絡してください。"
    ),
    "device": gettext_lazy(
        "この端末からは{minutes}分ほど待ってから再度お試しください。"
        "パスワードが分からない場合は、システム管理者に連絡してください。"
    ),
    "address": gettext_lazy(
        "この接続元から失敗が多いため、ログインしたことのない端末からは{minutes}分ほどログインできません。"
        "いつもログインしている端末からはログインできます。"
    ),
}
BUSY_MESSAGE = gettext_lazy(
    "ただいまログインが混み合っています。数秒待ってから、もう一度「ログイン」を押してください。"
)


def _refused(request, *, username, next_url, reason):
    """429 at once: no password was checked (a fresh form, so none is)."""
    if reason == "busy":
        lines, retry_after = [BUSY_MESSAGE], 5
    else:
        retry_after = settings.LOGIN_FAILURE_WINDOW_SECONDS
        minutes = max(1, retry_after // 60)
        lines = [BLOCKED_MESSAGE, REFUSED_ADVICE[reason].format(minutes=minutes)]
    form = LoginForm(request, initial={"username": username})
    context = {"form": form, "blocked": lines, "next": next_url}
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def login_view(request):
    form = LoginForm(request, data=request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        device = throttle.device_id_for(request, throttle.account_key(username))
        try:
            # Counted and recorded as a failure before the password is checked (A1).
            attempt = services.login_attempt_reserve(username=username, address=client_address(request), device=device)
        except services.LoginRefused as refused:
            return _refused(request, username=username, next_url=next_url, reason=refused.reason)
        with throttle.password_check_slot() as free:
            if not free:
                services.login_attempt_release(attempt=attempt)
                return _refused(request, username=username, next_url=next_url, reason="busy")
            valid = form.is_valid()
        if valid:
            user = form.get_user()
            login(request, user)
            session_stamp(request.session)
            services.login_attempt_settle(attempt=attempt, username=username, succeeded=True, user=user)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            response = redirect(next_url or "/")
            throttle.device_cookie_set(response, request=request, user=user)  # this browser is now trusted (A7)
            return response
        services.login_attempt_settle(attempt=attempt, username=username, succeeded=False)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="accounts.logout", obj=request.user)
    logout(request)
    messages.info(request, _("ログアウトしました。"))
    return redirect("accounts:login")


def preferences(request):
    form = PreferencesForm(
        request.POST or None,
        initial={"date_style": request.user.date_style, "export_encoding": request.user.export_encoding},
    )
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(
            actor=request.user,
            date_style=form.cleaned_data["date_style"],
            export_encoding=form.cleaned_data["export_encoding"] or request.user.export_encoding,
        )
        messages.success(request, _("表示設定を保存しました。"))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def sign_out_everywhere(request):
    services.user_sign_out_everywhere(actor=request.user)
    logout(request)
    messages.info(request, _("すべての端末からログアウトしました。もう一度ログインしてください。"))
    return redirect("accounts:login")


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
