from django.contrib import admin

from .models import SalesGroup


@admin.register(SalesGroup)
class SalesGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "referral_code", "created_at"]
    search_fields = ["name", "referral_code"]
