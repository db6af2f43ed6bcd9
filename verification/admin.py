from django.contrib import admin

from .models import PolicyRule


@admin.register(PolicyRule)
class PolicyRuleAdmin(admin.ModelAdmin):
    list_display = ["country", "document_type", "severity", "active"]
    list_filter = ["severity", "active", "document_type"]
