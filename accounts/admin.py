from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import RiskEvent, User


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
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(RiskEvent)
class RiskEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "user", "email_domain", "path"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in RiskEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
