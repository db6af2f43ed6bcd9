"""A visitor who followed a hand-off link and then signed in some other way (after confirming
their email address, say) still gets the reference attached."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import handoff
from .handoff_views import PENDING, RETURNING, TO_WIZARD


@receiver(user_logged_in)
def accept_pending_invitation(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    invitation_id = request.session.get(PENDING)
    if invitation_id is None:
        return
    try:
        invitation = handoff.accept(invitation_id, user)
    except handoff.HandoffRefused:
        return  # api:handoff_continue shows why, if they get there
    request.session.pop(PENDING, None)
    request.session[RETURNING] = invitation.pk
    request.session[TO_WIZARD] = True
