"""Django's administration site keeps users and departments only (issue 13, A2): nothing
on it shows a resident or a record. Every change goes through the services, so it is
audited; a password reset and a role change are also told to the user."""

from contextvars import ContextVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Department, User


def _administrators_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and user.is_administrator


admin.site.has_permission = _administrators_only
# Groups carry no meaning in mamoru (the role and the department decide): not on the site.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# The administrator resetting a password on this request (the form Django builds takes none).
_password_actor: ContextVar = ContextVar("password_actor", default=None)


class PasswordResetForm(AdminPasswordChangeForm):
    """Django's form, saving through ``user_password_reset`` (audit entry and notification)."""

    def save(self, commit=True):
        actor = _password_actor.get()
        if actor is None:
            raise PermissionDenied
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return services.user_password_reset(actor=actor, user=self.user, password=password)


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
    list_display = ("username", "full_name", "department", "role", "is_service_account", "is_active", "last_login")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "full_name", "full_name_kana")
    ordering = ("department__sort_order", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("職員情報"),
            {
                "fields": (
                    "full_name",
                    "full_name_kana",
                    "department",
                    "role",
                    "is_service_account",
                    "workplace",
                    "date_style",
                    "email",
                )
            },
        ),
        (_("状態"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("職員情報"), {"fields": ("full_name", "full_name_kana", "department", "role", "workplace")}),
    )
    readonly_fields = ("last_login", "date_joined")
    change_password_form = PasswordResetForm

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.pk == request.user.pk:
            # An administrator never changes their own role (another administrator does).
            fields = (*fields, "role", "is_service_account")
        return fields

    def user_change_password(self, request, id, form_url=""):
        reset = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(reset)

    def save_model(self, request, obj, form, change):
        services.user_save_by_admin(actor=request.user, user=obj, changed_fields=list(form.changed_data))

    def has_delete_permission(self, request, obj=None):
        return False  # staff who leave are made inactive; their records keep their names
