"""Reviewers' screening pages: the list of unresolved hits, and resolving one hit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from review.access import get_verification_for_reviewer, require_reviewer, require_supervisor
from review.forms import ConfirmationForm

from . import resolution, selectors
from .forms import ResolutionForm
from .models import ScreeningHit


@require_GET
@login_required
def hits(request):
    require_reviewer(request.user)
    applications = list(
        selectors.open_hit_applications().exclude(user=request.user)[: selectors.HITS_PAGE]
    )
    rows = selectors.unresolved_hits_by_application(applications)
    return render(request, "screening/hits.html", {"rows": rows})


def _hit_for_reviewer(user, pk) -> ScreeningHit:
    require_reviewer(user)  # before the lookup: customers learn nothing about hit ids
    try:
        hit = ScreeningHit.objects.get(pk=pk)
    except ScreeningHit.DoesNotExist:
        raise Http404(_("No such screening hit.")) from None
    get_verification_for_reviewer(user, hit.verification_id)  # 403 for one's own application
    return hit


def _back_to_case(hit):
    return redirect(reverse("review:detail", args=[hit.verification_id]) + "#screening")


@require_POST
@login_required
def resolve(request, pk):
    hit = _hit_for_reviewer(request.user, pk)
    form = ResolutionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose false positive or true match, and give a reason."))
        return _back_to_case(hit)
    try:
        resolution.resolve_hit(
            hit.pk,
            form.cleaned_data["resolution"],
            reviewer=request.user,
            reason=form.cleaned_data["reason"],
        )
    except resolution.ResolutionRefused as refused:
        messages.error(request, str(refused))
    else:
        if form.cleaned_data["resolution"] == resolution.TRUE_MATCH:
            messages.success(request, _("True match recorded: it waits for a supervisor."))
        else:
            messages.success(request, _("Recorded as a false positive."))
    return _back_to_case(hit)


@require_POST
@login_required
def confirm(request, pk):
    require_supervisor(request.user)
    hit = _hit_for_reviewer(request.user, pk)
    form = ConfirmationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm or decline the true match."))
        return _back_to_case(hit)
    try:
        resolution.confirm_match(
            hit.pk,
            supervisor=request.user,
            confirmed=form.cleaned_data["confirmed"],
            note=form.cleaned_data["note"],
        )
    except resolution.ResolutionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Thank you: your answer is recorded."))
    return _back_to_case(hit)
