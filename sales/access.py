"""Who may use the sales inquiry pages, and which customer records they may open."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import roles

from . import selectors
from .models import SalesGroup


def get_group_for_inquiry(user) -> SalesGroup:
    """The sales group an inquiry login reads. Raises PermissionDenied for anyone else."""
    if not roles.is_inquiry(user):
        raise PermissionDenied(_("Only sales inquiry logins can open these pages."))
    if user.sales_group_id is None:
        raise PermissionDenied(
            _("This inquiry login is not linked to a sales group yet. Please ask a supervisor.")
        )
    return user.sales_group


def get_customer_for_inquiry(user, customer_id: int) -> selectors.CustomerRow:
    """One customer of the inquiry login's own group; anyone else's customer is a 404."""
    group = get_group_for_inquiry(user)
    row = selectors.customer_in_group(group, customer_id)
    if row is None:
        raise Http404("No such customer in this sales group.")
    return row
