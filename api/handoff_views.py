"""Pages of the hand-off link: following it, continuing after sign-in, returning to the shop."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.forms import SIGNUP_EMAIL_SESSION_KEY

from . import handoff

# The invitation waiting for the visitor to sign up or in, then the one whose return URL
# applies after they submit.
PENDING = "api_handoff_pending"
RETURNING = "api_handoff_returning"
# Read by accounts.adapter: after signing in, go to the wizard rather than the User Center.
TO_WIZARD = "after_sign_in_go_to_wizard"

STATUS = {
    handoff.TAMPERED: 400,
    handoff.EXPIRED: 410,
    handoff.USED: 410,
    handoff.RETURN_URL: 400,
    handoff.REFERENCE_TAKEN: 409,
    handoff.STAFF: 403,
}


def refused(request, reason: str):
    return render(request, "api/handoff_refused.html", {"reason": reason}, status=STATUS[reason])


def _accept(request, invitation_id: int):
    try:
        invitation = handoff.accept(invitation_id, request.user)
    except handoff.HandoffRefused as refusal:
        request.session.pop(PENDING, None)
        request.session.pop(SIGNUP_EMAIL_SESSION_KEY, None)
        return refused(request, refusal.reason)
    request.session.pop(PENDING, None)
    request.session.pop(SIGNUP_EMAIL_SESSION_KEY, None)
    request.session.pop(TO_WIZARD, None)
    request.session[RETURNING] = invitation.pk
    return redirect("verification:start")


@never_cache
@require_GET
def follow(request, token):
    """The link itself: a refusal page, or on to sign-up (or straight to the wizard)."""
    try:
        invitation = handoff.invitation_from(token)
    except handoff.HandoffRefused as refusal:
        return refused(request, refusal.reason)
    if request.user.is_authenticated:
        return _accept(request, invitation.pk)
    request.session[PENDING] = invitation.pk
    # The sign-up form offers the address the shop gave (the customer may change it).
    if invitation.email:
        request.session[SIGNUP_EMAIL_SESSION_KEY] = invitation.email
    else:
        request.session.pop(SIGNUP_EMAIL_SESSION_KEY, None)
    query = {REDIRECT_FIELD_NAME: reverse("api:handoff_continue")}
    return redirect(f"{reverse('account_signup')}?{urlencode(query)}")


@never_cache
@require_GET
@login_required
def continue_after_sign_in(request):
    """After signing up or in: attach the waiting invitation, then the wizard."""
    invitation_id = request.session.get(PENDING)
    if invitation_id is None:
        return redirect("verification:start")
    return _accept(request, invitation_id)


@never_cache
@require_GET
@login_required
def return_to_shop(request):
    """After submitting: back to the shop's return URL (registered domains only), once.

    A page that moves on by itself rather than a redirect: the submit form's redirect chain may
    not leave the portal (CSP form-action 'self').
    """
    invitation_id = request.session.get(RETURNING)
    found = handoff.return_after_submit(invitation_id, request.user) if invitation_id else None
    if found is None:
        return redirect("verification:status")
    request.session.pop(RETURNING, None)
    url, shop = found
    return render(request, "api/handoff_return.html", {"return_url": url, "shop": shop})
