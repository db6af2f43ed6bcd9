"""Creating staff accounts: reviewers, supervisors and sales inquiry logins."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.db import transaction

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
    password_validation.validate_password(password, user)
    user.set_password(password)
    # Supervisors configure holidays, peak periods and policy rules in the admin.
    user.is_staff = role == roles.SUPERVISOR
    user.sales_group = sales_group
    user.is_demo = is_demo
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def create_sales_group(name: str) -> SalesGroup:
    group, _ = SalesGroup.objects.get_or_create(name=name.strip())
    return group
