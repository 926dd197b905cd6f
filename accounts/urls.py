from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("administration/", views.administration, name="administration"),
    path("administration/tokens/", views.token_list, name="token_list"),
    path("administration/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
