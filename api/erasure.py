"""When a customer's account is erased (privacy.services.erase_account), the shops' links to
the person go too: registered with privacy in ApiConfig.ready() and run inside the erasure's
transaction, after the account row lost its email address."""

from django.db.models import Q

from .models import ClientCustomer, ClientEvent, Invitation


def forget_customer(user, *, former_email: str) -> None:
    """Deletes every client's reference for `user` and anonymises what still names them.

    A lookup by the old reference or address then answers 404, as for any stranger. The
    clients' past events stay (their status history), without reference or address; hand-off
    links lose the address they were made for and who used them.
    """
    ClientCustomer.objects.filter(user=user).delete()
    for event in ClientEvent.objects.filter(user=user).only("data"):
        event.data = {**event.data, "reference": None, "email": user.email}
        event.save(update_fields=["data"])
    named = Q(used_by=user)
    if former_email:
        named |= Q(email__iexact=former_email)
    Invitation.objects.filter(named).update(email="", used_by=None)
