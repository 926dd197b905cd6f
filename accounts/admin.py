from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Department, User


def _administrators_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and user.is_administrator


admin.site.has_permission = _administrators_only


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        services.department_save_by_admin(actor=request.user, department=obj, created=not change)

    def has_delete_permission(self, request, obj=None):
        return False  # departments are made inactive, never deleted


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "department", "role", "workplace", "is_active", "last_login")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "full_name", "full_name_kana")
    ordering = ("department__sort_order", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("職員情報"),
            {"fields": ("full_name", "full_name_kana", "department", "role", "workplace", "date_style", "email")},
        ),
        (_("状態"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("職員情報"), {"fields": ("full_name", "full_name_kana", "department", "role", "workplace")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        services.user_save_by_admin(actor=request.user, user=obj, changed_fields=list(form.changed_data))

    def has_delete_permission(self, request, obj=None):
        return False  # staff who leave are made inactive; their records keep their names
