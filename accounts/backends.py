"""Django's model backend, loading the signed-in user with their department.

Every page shows the user's department in its header, and the contact forms
check it: loading both in the session's one user query spares each request a
second one."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User.objects.select_related("department").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user):
        # A service account (連携用アカウント) works through API tokens only, never on screen.
        return super().user_can_authenticate(user) and not getattr(user, "is_service_account", False)
