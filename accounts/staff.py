"""Creating staff accounts: reviewers, supervisors and sales inquiry logins."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.db import transaction

from audit import services as audit
from audit.models import AuditEvent
from sales.models import SalesGroup

from . import roles


@transaction.atomic
def create_staff_account(email, password, *, role, sales_group=None, is_demo=False):
    """Creates (or updates) a staff login with a verified email address in one role.

    Raises django.core.exceptions.ValidationError for a weak password.
    """
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    before = Standing.stored(user.pk)
    password_validation.validate_password(password, user)
    user.set_password(password)
    # Supervisors configure holidays, peak periods and policy rules in the admin.
    user.is_staff = role == roles.SUPERVISOR
    user.sales_group = sales_group
    user.is_demo = is_demo
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    record_role_change(user, before, actor=None)  # from the command line
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def create_sales_group(name: str) -> SalesGroup:
    group, _ = SalesGroup.objects.get_or_create(name=name.strip())
    return group


@dataclass(frozen=True)
class Standing:
    """What a login may do: its role groups and Django's two admin flags."""

    groups: frozenset[str] = frozenset()
    is_staff: bool = False
    is_superuser: bool = False

    @classmethod
    def stored(cls, user_id) -> "Standing":
        """The standing as the database holds it now (a new user has none)."""
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        if user is None:
            return cls()
        return cls(
            frozenset(user.groups.values_list("name", flat=True)),
            user.is_staff,
            user.is_superuser,
        )


def record_role_change(user, before: Standing, *, actor) -> None:
    """Writes one audit event if `user`'s roles or admin flags differ from `before`.

    Compliance must be able to tell who gave whom which power, and when.
    """
    after = Standing.stored(user.pk)
    if after == before:
        return
    detail = {
        "added": sorted(after.groups - before.groups),
        "removed": sorted(before.groups - after.groups),
    }
    for flag in ("is_staff", "is_superuser"):
        if getattr(before, flag) != getattr(after, flag):
            detail[flag] = getattr(after, flag)
    audit.record(actor, AuditEvent.Action.ROLE_CHANGED, subject=user, **detail)
