"""What a client may know of its customers: who they are (isolation) and the status fields
the API and the webhooks show. Built from a whitelist, so document numbers, birth dates,
images and reviewer notes can never reach a client."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import roles
from accounts.models import User
from notifications.timeline import OPEN_FOR_REVIEW
from verification.models import Status, Verification

from . import lookup
from .models import ApiClient, ClientCustomer

# The status a client reads for each of ours (the customer's own words).
API_STATUS = {
    None: "not_submitted",
    Status.DRAFT: "not_submitted",
    Status.PROVIDED: "provided",
    Status.UNDER_REVIEW: "under_review",
    Status.SUPPLEMENT_REQUESTED: "under_review",
    Status.PASSED: "passed",
    Status.REJECTED: "rejected",
    Status.LAPSED: "lapsed",
}
API_STATUSES = sorted(set(API_STATUS.values()))


def customers_of(client: ApiClient) -> QuerySet:
    """The client's customers: those it attached a reference to, and its sales group's.

    Never staff, never erased (inactive) accounts.
    """
    belongs = Q(api_client_links__client=client)
    if client.sales_group_id is not None:
        belongs |= Q(sales_group_id=client.sales_group_id)
    return (
        User.objects.filter(belongs, is_active=True, is_staff=False, is_superuser=False)
        .exclude(groups__name__in=roles.STAFF_ROLES)
        .distinct()
    )


def is_customer_of(client: ApiClient, user, *, linked: bool | None = None) -> bool:
    """Whether `user` is one of the client's customers (the rule of customers_of, for one)."""
    if not user.is_active or user.is_staff or user.is_superuser:
        return False
    if linked is None:
        linked = ClientCustomer.objects.filter(client=client, user=user).exists()
    in_group = client.sales_group_id is not None and user.sales_group_id == client.sales_group_id
    if not (linked or in_group):
        return False
    return not user.groups.filter(name__in=roles.STAFF_ROLES).exists()


def find_by_reference(client: ApiClient, reference: str) -> User | None:
    """One query: the (client, reference) index, the user, and whether they hold a staff role."""
    staff_role = User.groups.through.objects.filter(
        user_id=OuterRef("user_id"), group__name__in=roles.STAFF_ROLES
    )
    link = (
        ClientCustomer.objects.select_related("user")
        .annotate(has_staff_role=Exists(staff_role))
        .filter(client=client, reference=reference)
        .first()
    )
    if link is None or link.has_staff_role:
        return None
    user = link.user
    user._api_reference = link.reference  # saves applicant_data a query
    if not user.is_active or user.is_staff or user.is_superuser:
        return None
    return user


def data_by_reference(client: ApiClient, reference: str) -> dict | None:
    """applicant_data for the client's reference, or None: the rule of find_by_reference, in
    the one statement of api.lookup (the API's busiest request)."""
    found = lookup.applicant_row(client.pk, reference)
    if found is None:
        return None
    user, application = found
    if not user["is_active"] or user["is_staff"] or user["is_superuser"]:
        return None
    if user["has_staff_role"]:
        return None
    verification = None
    if application is not None:
        verification = lookup.instance(Verification, list(application), list(application.values()))
    return _data(reference, user["email"], verification)


def find_by_email(client: ApiClient, email: str) -> User | None:
    # Addresses are stored lower-cased (accounts.models.UserManager): the plain unique index.
    user = User.objects.filter(email=email.strip().lower()).first()
    return user if user is not None and is_customer_of(client, user) else None


def latest_application(user) -> Verification | None:
    # WITHDRAWN only follows an erasure; the account is then inactive and never reaches here.
    return (
        Verification.objects.filter(user=user)
        .only(*lookup.APPLICATION_FIELDS, "user_id")
        .order_by("-created_at", "-pk")
        .first()
    )


def _iso(value):
    return value.isoformat() if value else None


def applicant_data(client: ApiClient, user, verification: Verification | None = None) -> dict:
    """The applicant as `client` sees them: the API's body and the webhooks' `data`."""
    if verification is None:
        verification = latest_application(user)
    reference = getattr(user, "_api_reference", None) or (
        ClientCustomer.objects.filter(client=client, user=user)
        .values_list("reference", flat=True)
        .first()
    )
    return _data(reference, user.email, verification)


def _data(reference: str | None, email: str, verification: Verification | None) -> dict:
    status = verification.status if verification else None
    passed = status in (Status.PASSED, Status.LAPSED)
    return {
        "reference": reference,
        "email": email,
        "status": API_STATUS.get(status, "not_submitted"),
        "action_required": status == Status.SUPPLEMENT_REQUESTED,
        # After a rejection: whether the customer may start a new application; a lapsed pass is
        # always renewed by a new one.
        "retry_allowed": (status == Status.REJECTED and verification.may_retry)
        or status == Status.LAPSED,
        "level": (verification.account_type or None) if verification else None,
        "document_country": (str(verification.nationality) or None) if verification else None,
        "submitted_at": _iso(verification.submitted_at) if verification else None,
        "passed_at": _iso(verification.decided_at) if passed else None,
        "valid_until": _iso(verification.valid_until) if passed else None,
        # The date the customer's own status page promises, while a reviewer has to act.
        "expected_completion_at": _iso(verification.sla_due_at)
        if status in OPEN_FOR_REVIEW
        else None,
        "updated_at": _iso(verification.updated_at) if verification else None,
    }
