"""Who is who. Roles are Django groups, so supervisors can manage them in the admin."""

REVIEWER = "Reviewer"
SUPERVISOR = "Review supervisor"
SALES_INQUIRY = "Sales inquiry"
STAFF_ROLES = frozenset({REVIEWER, SUPERVISOR, SALES_INQUIRY})


def of(user) -> frozenset[str]:
    """The role names of a user, read once per request and kept on the user object."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_kyc_roles"):
        user._kyc_roles = frozenset(user.groups.values_list("name", flat=True))
    return user._kyc_roles


def is_reviewer(user) -> bool:
    """Reviewers and their supervisors work the review queue."""
    return bool(of(user) & {REVIEWER, SUPERVISOR})


def is_supervisor(user) -> bool:
    return SUPERVISOR in of(user)


def is_inquiry(user) -> bool:
    return SALES_INQUIRY in of(user)


def is_staff_member(user) -> bool:
    """Anyone who sees other people's data: they all need two-step verification."""
    return bool(of(user) & STAFF_ROLES) or bool(getattr(user, "is_staff", False))


def is_customer(user) -> bool:
    return user.is_authenticated and not is_staff_member(user)
