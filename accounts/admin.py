from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from audit import services as audit
from audit.models import AuditEvent
from privacy.retention import reasons_to_keep_account

from . import roles, staff
from .models import RiskEvent, User

# What a supervisor may change on a customer's row: which sales group looks after them.
# Everything else (roles, admin flags, passwords, new accounts) is for superusers only, so no
# supervisor can give themselves or a second login more power (four eyes).
SUPERVISOR_EDITABLE_FIELDS = ("sales_group",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "sales_group", "date_joined"]
    list_filter = ["is_active", "is_staff", "groups", "sales_group"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Portal"), {"fields": ["preferred_language", "sales_group", "is_demo"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    supervisor_fieldsets = [
        (None, {"fields": ["email"]}),
        (_("Portal"), {"fields": ["preferred_language", "sales_group"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.supervisor_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [
            name
            for _title, options in self.supervisor_fieldsets
            for name in options["fields"]
            if name not in SUPERVISOR_EDITABLE_FIELDS
        ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().has_change_permission(request, obj)
        # A supervisor moves customers between sales groups; staff rows (their own included)
        # are only for superusers.
        return super().has_change_permission(request, obj) and roles.is_customer(obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_deleted_objects(self, objs, request):
        """Refuses (as Django refuses protected rows) to delete logins whose records are kept."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for user in objs:
            protected.extend(f"{user}: {reason}" for reason in reasons_to_keep_account(user))
        return deleted, counts, perms_needed, protected

    def user_change_password(self, request, id, form_url=""):
        # Setting someone else's password lets one sign in as them.
        if not request.user.is_superuser:
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            subject = self.get_object(request, unquote(id))
            audit.record(request.user, AuditEvent.Action.PASSWORD_SET_BY_STAFF, subject=subject)
        return response

    def save_model(self, request, obj, form, change):
        request._standing_before_save = staff.Standing.stored(obj.pk)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the groups are saved here
        staff.record_role_change(form.instance, request._standing_before_save, actor=request.user)


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(DjangoGroupAdmin):
    """Roles are groups; what a role may do changes only with a record of who changed it."""

    def save_model(self, request, obj, form, change):
        request._permissions_before_save = set(
            obj.permissions.values_list("codename", flat=True) if obj.pk else ()
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = request._permissions_before_save
        after = set(form.instance.permissions.values_list("codename", flat=True))
        if before != after or not change:
            audit.record(
                request.user,
                AuditEvent.Action.ROLE_PERMISSIONS_CHANGED,
                role=form.instance.name,
                added=sorted(after - before),
                removed=sorted(before - after),
            )


@admin.register(RiskEvent)
class RiskEventAdmin(admin.ModelAdmin):
    """Risk events are evidence, like the audit trail: read by supervisors, never edited."""

    list_display = ["created_at", "kind", "user", "email_domain", "path"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in RiskEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
