"""Pages of the two-factor sign-in and of the second sign-in (issue 13 B1). The password
page itself is ``accounts.views.login_view``; ``SecondFactorMiddleware`` sends the
signed-in user on here."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from audit.services import audit_record

from . import twofactor
from .models import User
from .permissions import require_administrator
from .signin_middleware import step_up_response


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("確認コード"),
        max_length=32,
        help_text=gettext_lazy("認証アプリに表示された6桁の数字。端末をなくしたときは回復コードを入力します。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("認証アプリに表示された6桁の数字"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("パスワード"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=gettext_lazy("確認コード（認証アプリの6桁、または回復コード）"), max_length=32, required=False
    )


def _url(name: str, next_url: str = "") -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _next_url(request, default: str = "/") -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def _qr_svg(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("認証アプリで読み取るQRコード"))
    return mark_safe(svg)  # segno writes the SVG from our own otpauth:// address


def otp_enrol(request):
    """Register an authenticator app: a QR code (drawn here as SVG, nothing fetched from
    elsewhere), the secret for typing in by hand, then one code from the app."""
    user = request.user
    if twofactor.is_enrolled(user):
        # Replacing the app needs the code of the current one first, and a recent sign-in.
        if not twofactor.second_factor_done(request):
            return redirect("accounts:otp_verify")
        response = step_up_response(request)
        if response is not None:
            return response
    key = twofactor.pending_key(request)
    form = EnrolForm(request.POST or None)
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = twofactor.otp_device_enrol(actor=user, key=key, code=form.cleaned_data["code"])
        except ValidationError as error:
            for message in error.message_dict.get("code", error.messages):
                form.add_error("code", message)
        else:
            request.session.pop(twofactor.PENDING_KEY, None)
            otp_login(request, device)
            request.session[twofactor.ENROLLED] = True
            twofactor.signin_record_second_factor(request)
            request.session[twofactor.NEW_CODES] = codes
            messages.success(request, _("二要素認証を登録しました。"))
            return redirect(_url("accounts:otp_recovery_codes", next_url))
    uri = twofactor.provisioning_uri(user=user, key=key)
    context = {
        "form": form,
        "qr_svg": _qr_svg(uri),
        "secret": twofactor.secret_for_typing(key),
        "required": twofactor.role_requires_second_factor(user),
        "next": next_url,
    }
    return render(request, "accounts/otp_enrol.html", context)


def otp_recovery_codes(request):
    """The recovery codes just made, shown once: reloading the page shows them no more."""
    codes = request.session.pop(twofactor.NEW_CODES, None)
    return render(
        request,
        "accounts/otp_recovery_codes.html",
        {"codes": codes, "next": _next_url(request), "left": twofactor.recovery_codes_left(request.user)},
    )


def otp_verify(request):
    """The code after the password."""
    user = request.user
    next_url = _next_url(request)
    if not twofactor.second_factor_required(request) or twofactor.second_factor_done(request):
        return redirect(next_url)
    if not twofactor.is_enrolled(user) and not twofactor.recovery_codes_left(user):
        if twofactor.role_requires_second_factor(user):
            return redirect(_url("accounts:otp_enrol", next_url))
        request.session.pop(twofactor.ENROLLED, None)  # an administrator removed the devices
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if twofactor.otp_throttled(user, form.cleaned_data["code"]):
            form.add_error("code", _("確認コードの誤りが続いたため、しばらく待ってから入力してください。"))
            status = 429
        else:
            device = twofactor.otp_verify(user=user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                twofactor.signin_record_second_factor(request)
                left = twofactor.recovery_codes_left(user)
                if device.name == twofactor.RECOVERY_DEVICE_NAME:
                    messages.warning(
                        request,
                        _(
                            "回復コードでログインしました（残り{left}個）。端末を確認し、"
                            "必要なら二要素認証の設定から回復コードを再発行してください。"
                        ).format(left=left),
                    )
                return redirect(next_url)
            form.add_error("code", _("確認コードが正しくありません。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=status)


def otp_settings(request):
    """The user's own two-factor page: enrolled or not, recovery codes left, and the actions."""
    user = request.user
    context = {
        "enrolled": twofactor.is_enrolled(user),
        "required": twofactor.role_requires_second_factor(user),
        "left": twofactor.recovery_codes_left(user),
    }
    return render(request, "accounts/otp_settings.html", context)


@require_POST
def otp_recovery_regenerate(request):
    response = step_up_response(request)
    if response is not None:
        return response
    try:
        codes = twofactor.otp_recovery_codes_regenerate(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:otp_settings")
    request.session[twofactor.NEW_CODES] = codes
    messages.success(request, _("回復コードを再発行しました。以前のコードは使えません。"))
    return redirect(_url("accounts:otp_recovery_codes", _url("accounts:otp_settings")))


@require_POST
def otp_remove(request):
    response = step_up_response(request)
    if response is not None:
        return response
    twofactor.otp_devices_remove(actor=request.user)
    request.session.pop(twofactor.ENROLLED, None)
    messages.success(request, _("二要素認証を解除しました。"))
    return redirect("accounts:otp_settings")


def reauthenticate(request):
    """The second sign-in before exports and administration: the password again, and the
    code for a user with a second factor. Too many failures end the session."""
    user = request.user
    next_url = _next_url(request)
    needs_code = twofactor.second_factor_required(request) or twofactor.is_enrolled(user)
    form = ReauthenticateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_ok = (
            authenticate(request, username=user.get_username(), password=form.cleaned_data["password"]) == user
        )
        device = None
        if password_ok and needs_code:
            if twofactor.otp_throttled(user, form.cleaned_data["code"]):
                form.add_error("code", _("確認コードの誤りが続いたため、しばらく待ってから入力してください。"))
                return render(
                    request,
                    "accounts/reauthenticate.html",
                    {"form": form, "next": next_url, "needs_code": needs_code},
                    status=429,
                )
            device = twofactor.otp_verify(user=user, code=form.cleaned_data["code"])
        if password_ok and (device is not None or not needs_code):
            request.session.pop("mamoru_step_up_failures", None)
            twofactor.signin_record_password(request, user)
            if device is not None:
                otp_login(request, device)
                twofactor.signin_record_second_factor(request)
            audit_record(actor=user, action="accounts.reauth.succeeded", obj=user)
            return redirect(next_url)
        failures = request.session.get("mamoru_step_up_failures", 0) + 1
        audit_record(actor=user, action="accounts.reauth.failed", obj=user, after={"failures": failures})
        if failures >= settings.MAMORU_STEP_UP_FAILURE_LIMIT:
            logout(request)
            messages.error(request, _("再認証の失敗が続いたため、ログアウトしました。"))
            return redirect("accounts:login")
        request.session["mamoru_step_up_failures"] = failures
        form.add_error(None, _("パスワードまたは確認コードが正しくありません。"))
    return render(request, "accounts/reauthenticate.html", {"form": form, "next": next_url, "needs_code": needs_code})


# --- administration ------------------------------------------------------------------------


def _require_administrator(request):
    require_administrator(request.user, _("システム管理者のみが利用できます。"))


def otp_admin_list(request):
    """Every active user with their two-factor state, and a reset for a lost phone."""
    _require_administrator(request)
    users = list(User.objects.filter(is_active=True).select_related("department").order_by("username"))
    enrolled = set(
        twofactor.TOTPDevice.objects.filter(confirmed=True, user__in=users).values_list("user_id", flat=True)
    )
    rows = [
        {"user": u, "enrolled": u.pk in enrolled, "required": twofactor.role_requires_second_factor(u)} for u in users
    ]
    return render(request, "accounts/otp_admin_list.html", {"rows": rows})


@require_POST
def otp_admin_reset(request, pk):
    _require_administrator(request)
    user = get_object_or_404(User, pk=pk)
    twofactor.otp_devices_reset(actor=request.user, user=user)
    messages.success(
        request,
        _("{name} さんの二要素認証をリセットしました。本人に通知しました。").format(name=user.display_name),
    )
    return redirect("accounts:otp_admin_list")
