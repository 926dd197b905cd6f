"""System checks of the audit settings (``python -m mamoru check``, run at start-up)."""

from django.conf import settings
from django.core.checks import Error, register

from mamoru.lib.syslog import SyslogAddressError, SyslogTarget


@register()
def syslog_address(app_configs, **kwargs):
    address = getattr(settings, "MAMORU_AUDIT_SYSLOG", "")
    if not address:
        return []
    try:
        SyslogTarget.parse(address)
    except SyslogAddressError as error:
        return [
            Error(
                f"MAMORU_AUDIT_SYSLOG の形式が正しくありません: {error}",
                hint="udp://ログサーバー:514 または tcp://ログサーバー:601（?format=3164、?facility=local4 も可）",
                id="audit.E001",
            )
        ]
    return []
