"""Writes about sales groups: joining a customer to a group by referral code or by a supervisor."""

from django.db import transaction

from accounts import roles

from .models import SalesGroup

REFERRAL_SESSION_KEY = "sales_referral_code"


class NotACustomer(Exception):
    """Only customers join a sales group this way; inquiry logins are set up by a command."""


def normalise_referral_code(code: str) -> str:
    return "".join(code.split()).upper()


def find_group_by_referral_code(code: str) -> SalesGroup | None:
    """The sales group whose referral code this is (spaces and letter case ignored), or None."""
    code = normalise_referral_code(code or "")
    if not code:
        return None
    return SalesGroup.objects.filter(referral_code__iexact=code).first()


def remember_referral_code(session, code: str) -> None:
    """Keeps a referral link's code for the rest of the visit, so sign-up still finds it."""
    code = normalise_referral_code(code or "")[:16]
    if code:
        session[REFERRAL_SESSION_KEY] = code


@transaction.atomic
def assign_customer(customer, group: SalesGroup | None) -> None:
    """Puts a customer in `group` (None: in no group). A customer is in at most one group.

    Raises NotACustomer for staff logins.
    """
    if roles.is_staff_member(customer):
        raise NotACustomer(customer.pk)
    customer.sales_group = group
    customer.save(update_fields=["sales_group"])
