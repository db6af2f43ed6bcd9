"""What an inquiry login may read: its own group's customers and their KYC progress, nothing more.

Rows are built from a whitelist of columns, so document numbers, dates of birth, images and
review notes can never reach an inquiry page or export by accident.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import User
from verification.models import AccountType, Status, StatusChange, Verification
from verification.selectors import CUSTOMER_LABELS

from .models import SalesGroup

# The status filter as a sales person reads it (the customer's labels), and what each covers.
STATUS_FILTERS = {
    "not_submitted": (_("Not submitted"), {None, Status.DRAFT}),
    "provided": (_("Provided"), {Status.PROVIDED}),
    "under_review": (_("Under review"), {Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED}),
    "action_required": (_("Action required"), {Status.SUPPLEMENT_REQUESTED}),
    "passed": (_("Passed"), {Status.PASSED}),
    "rejected": (_("Rejected"), {Status.REJECTED}),
    "lapsed": (_("Re-verification required"), {Status.LAPSED}),
}

# The only columns of the latest application an inquiry login ever reads.
_LATEST_COLUMNS = {
    "kyc_status": "status",
    "kyc_account_type": "account_type",
    "kyc_given_names": "given_names",
    "kyc_surname": "surname",
    "kyc_submitted_at": "submitted_at",
    "kyc_sla_due_at": "sla_due_at",
    "kyc_updated_at": "updated_at",
    "kyc_verification_id": "pk",
}


@dataclass(frozen=True)
class CustomerRow:
    """One customer as an inquiry login sees them (works with partials/status_badge.html)."""

    pk: int
    email: str
    name: str
    account_type: str
    status: str | None
    submitted_at: datetime | None
    expected_completion: datetime | None
    last_update: datetime | None
    verification_id: int | None

    @property
    def label(self):
        return CUSTOMER_LABELS[self.status]

    @property
    def action_required(self) -> bool:
        return self.status == Status.SUPPLEMENT_REQUESTED

    @property
    def account_type_label(self) -> str:
        return AccountType(self.account_type).label if self.account_type else ""

    @property
    def is_awaiting_decision(self) -> bool:
        """The expected completion date only means something while a decision is pending."""
        return self.status in (Status.PROVIDED, Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    status: str

    @property
    def label(self):
        return CUSTOMER_LABELS[self.status]

    @property
    def action_required(self) -> bool:
        return self.status == Status.SUPPLEMENT_REQUESTED


def group_customers(group: SalesGroup) -> QuerySet:
    """The customers who belong to `group`: never its inquiry logins or other staff."""
    return (
        User.objects.filter(sales_group=group, is_staff=False, is_superuser=False)
        .exclude(groups__name__in=roles.STAFF_ROLES)
        .order_by("email", "pk")
    )


def _with_latest_application(users: QuerySet) -> QuerySet:
    latest = Verification.objects.filter(user=OuterRef("pk")).order_by("-created_at", "-pk")
    annotations = {
        alias: Subquery(latest.values(column)[:1]) for alias, column in _LATEST_COLUMNS.items()
    }
    return users.annotate(**annotations).values("pk", "email", *annotations)


def search_customers(group: SalesGroup, *, email: str = "", status: str = "") -> QuerySet:
    """The group's customers with their latest application's columns, searched and filtered.

    `email` matches part of the address; `status` is a key of STATUS_FILTERS (others ignored).
    Returns dict rows (one query, whatever the number of customers): wrap them with `to_row`.
    """
    users = group_customers(group)
    if email.strip():
        users = users.filter(email__icontains=email.strip())
    rows = _with_latest_application(users)
    if status in STATUS_FILTERS:
        statuses = STATUS_FILTERS[status][1]
        condition = Q(kyc_status__in=[s for s in statuses if s is not None])
        if None in statuses:
            condition |= Q(kyc_status__isnull=True)
        rows = rows.filter(condition)
    return rows


def to_row(values: dict) -> CustomerRow:
    name = f"{values['kyc_given_names'] or ''} {values['kyc_surname'] or ''}".strip()
    return CustomerRow(
        pk=values["pk"],
        email=values["email"],
        name=name,
        account_type=values["kyc_account_type"] or "",
        status=values["kyc_status"],
        submitted_at=values["kyc_submitted_at"],
        expected_completion=values["kyc_sla_due_at"],
        last_update=values["kyc_updated_at"],
        verification_id=values["kyc_verification_id"],
    )


def customer_in_group(group: SalesGroup, customer_id: int) -> CustomerRow | None:
    """One customer of `group`, or None when they belong to another group or are not a customer."""
    values = _with_latest_application(group_customers(group).filter(pk=customer_id)).first()
    return to_row(values) if values else None


def status_history(verification_id: int | None) -> list[HistoryEntry]:
    """When the latest application reached each status (no reasons: they may hold review notes)."""
    if verification_id is None:
        return []
    changes = StatusChange.objects.filter(verification_id=verification_id).order_by(
        "created_at", "pk"
    )
    return [HistoryEntry(at=at, status=new) for at, new in changes.values_list("created_at", "new")]
