from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts import roles

from . import services
from .forms import ErasureForm


@login_required
@require_safe
def overview(request):
    return render(
        request,
        "privacy/overview.html",
        {
            "retention_days": settings.DOCUMENT_RETENTION_DAYS,
            "record_retention_days": settings.KYC_RECORD_RETENTION_DAYS,
            "can_erase": not roles.is_staff_member(request.user),
        },
    )


@login_required
@require_POST
def download(request):
    archive = services.export_archive(request.user)
    response = HttpResponse(archive, content_type="application/zip")
    filename = f"kyc-portal-my-data-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def erase(request):
    if roles.is_staff_member(request.user):
        messages.error(request, _("Staff accounts are closed by a supervisor, not from here."))
        return redirect("privacy:overview")
    form = ErasureForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.erase_account(request.user)
        logout(request)
        messages.success(
            request,
            _(
                "Your account and data have been deleted. Submitted applications are kept as "
                "the law requires, without your personal details and images."
            ),
        )
        return redirect("home")
    return render(
        request,
        "privacy/erase.html",
        {
            "form": form,
            "retention_days": settings.DOCUMENT_RETENTION_DAYS,
            "record_retention_days": settings.KYC_RECORD_RETENTION_DAYS,
        },
    )
