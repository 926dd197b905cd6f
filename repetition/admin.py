from django.contrib import admin

from .models import RepetitionDecision, RepetitionFlag


class RepetitionDecisionInline(admin.TabularInline):
    model = RepetitionDecision
    extra = 0
    can_delete = False
    readonly_fields = ("decision", "reason", "decided_by", "decided_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RepetitionFlag)
class RepetitionFlagAdmin(admin.ModelAdmin):
    """Read-only: flags change only through the services (and the audit log)."""

    list_display = ("pk", "resident", "rule_name", "status", "detected_at")
    list_filter = ("status", "rule_code")
    inlines = [RepetitionDecisionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
