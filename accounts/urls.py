from django.urls import path

from . import signin_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("administration/", views.administration, name="administration"),
    path("administration/tokens/", views.token_list, name="token_list"),
    path("administration/tokens/<int:pk>/approve/", views.token_approve, name="token_approve"),
    path("administration/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # signin stream: two-factor sign-in and the second sign-in
    path("two-factor/", signin_views.otp_settings, name="otp_settings"),
    path("two-factor/enrol/", signin_views.otp_enrol, name="otp_enrol"),
    path("two-factor/verify/", signin_views.otp_verify, name="otp_verify"),
    path("two-factor/recovery-codes/", signin_views.otp_recovery_codes, name="otp_recovery_codes"),
    path("two-factor/recovery-codes/regenerate/", signin_views.otp_recovery_regenerate, name="otp_recovery_regenerate"),
    path("two-factor/remove/", signin_views.otp_remove, name="otp_remove"),
    path("reauthenticate/", signin_views.reauthenticate, name="reauthenticate"),
    path("administration/two-factor/", signin_views.otp_admin_list, name="otp_admin_list"),
    path("administration/two-factor/<int:pk>/reset/", signin_views.otp_admin_reset, name="otp_admin_reset"),
]
