from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from verification import retry

from . import content, services
from .models import Notification


@login_required
@require_safe
def inbox(request):
    notifications = Notification.objects.filter(user=request.user).only(
        "pk", "kind", "created_at", "read_at", "verification_id"
    )
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page_obj": page})


@login_required
def detail(request, pk):
    # Someone else's message is a 404, exactly like a message that does not exist.
    notification = get_object_or_404(
        Notification.objects.select_related("verification", "status_change"),
        pk=pk,
        user=request.user,
    )
    services.mark_read(notification)
    ctx = content.context_for(notification)
    return render(request, "notifications/detail.html", ctx)


@require_POST
@login_required
def mark_all_read(request):
    services.mark_all_read(request.user)
    return redirect("notifications:inbox")


@require_POST
@login_required
def start_retry(request):
    return _start_again(
        request,
        retry.start_retry,
        _(
            "A new application has been started with the details of your last one. Check "
            "them, upload your documents again and submit."
        ),
    )


@require_POST
@login_required
def start_reverification(request):
    return _start_again(
        request,
        retry.start_reverification,
        _(
            "A new application has been started with your verified details. Change what is "
            "different, upload your current document and submit."
        ),
    )


def _start_again(request, start, started_message):
    try:
        start(request.user)
    except retry.CannotStartAgain as exc:
        messages.error(request, exc.message)
        return redirect("verification:status")
    messages.success(request, started_message)
    return redirect("verification:start")
