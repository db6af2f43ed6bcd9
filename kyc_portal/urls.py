from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from kyc_portal import health

# The admin signs in through allauth, so it gets the same rate limits and two-step verification.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "KYC Portal administration"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("user-center/", include("accounts.urls")),
    path("kyc/", include("verification.urls")),
    path("notifications/", include("notifications.urls")),
    path("sales/", include("sales.urls")),
    path("review/screening/", include("screening.urls")),
    path("review/", include("review.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("privacy/", include("privacy.urls")),
    path("api/", include("api.urls")),
]
# Database or Redis down: a 503 "try again" page instead of a 500 (kyc_portal/errors.py).
handler500 = "kyc_portal.errors.server_error"
