from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class PolicyConfig(AppConfig):
    name = "mamoru.policy"
    label = "policy"
    verbose_name = "ポリシーパック"

    def ready(self):
        from .loader import load_file
        from .schema import PolicyPackError

        try:
            load_file(settings.MAMORU_POLICY_PACK)
        except (OSError, PolicyPackError) as exc:
            raise ImproperlyConfigured(f"{settings.MAMORU_POLICY_PACK}: {exc}") from exc
