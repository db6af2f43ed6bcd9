import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User
from sales.models import SalesGroup

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    """A customer with a verified email address and the password PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(
                user=self, email=self.email, verified=extracted is not False, primary=True
            )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([Group.objects.get(name=name) for name in extracted])


class SalesGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesGroup

    name = factory.Sequence(lambda n: f"Sales group {n}")


def enable_totp(user) -> str:
    """Turns on two-step verification for a user; returns the TOTP secret."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def staff_user(role, *, mfa=True, **kwargs):
    user = UserFactory(roles=[role], is_staff=role == roles.SUPERVISOR, **kwargs)
    if mfa:
        enable_totp(user)
    return user
