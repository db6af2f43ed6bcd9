from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import SalesGroup


@admin.register(SalesGroup)
class SalesGroupAdmin(admin.ModelAdmin):
    """Supervisors create groups here; customers are moved between groups on the user page."""

    list_display = ["name", "referral_code", "customer_count", "created_at"]
    search_fields = ["name", "referral_code"]
    readonly_fields = ["referral_link", "created_at"]
    fields = ["name", "referral_code", "referral_link", "created_at"]

    def get_queryset(self, request):
        # Inquiry logins also point at their group: count only members with no staff role.
        customers = Q(members__is_staff=False, members__groups__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(customers=Count("members", filter=customers, distinct=True))
        )

    @admin.display(description=_("customers"), ordering="customers")
    def customer_count(self, group):
        return group.customers

    @admin.display(description=_("referral link"))
    def referral_link(self, group):
        if group.pk is None:
            return "—"
        return f"{reverse('account_signup')}?ref={group.referral_code}"
