from django.conf import settings

from mamoru.policy.loader import current as current_policy


def mamoru(request):
    return {
        "policy": current_policy(),
        "timer_seconds_per_minute": settings.MAMORU_TIMER_SECONDS_PER_MINUTE,
    }
