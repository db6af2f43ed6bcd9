import datetime
import time

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from accounts import roles
from accounts.models import User
from kyc_portal.crypto import lookup_hash
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
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in extracted])


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


def totp_code(secret: str, *, fresh_for: float = 5) -> str:
    """The authenticator app's current six-digit code for a TOTP secret, with at least
    `fresh_for` seconds left in its period: allauth accepts only the current period, so a code
    made just before the period turns fails when a loaded machine submits it a moment later."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < fresh_for:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def staff_user(role, *, mfa=True, **kwargs):
    user = UserFactory(roles=[role], is_staff=role == roles.SUPERVISOR, **kwargs)
    if mfa:
        enable_totp(user)
    return user


def superuser(**kwargs):
    """The operator's own administrator: the only login that may grant roles."""
    user = UserFactory(is_staff=True, is_superuser=True, **kwargs)
    enable_totp(user)
    return user


def png_bytes(width=1200, height=850, colour=(200, 200, 190)) -> bytes:
    """A plain PNG image, big enough to pass the upload checks' minimum resolution."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 40):  # some edges, so a sharpness check sees detail
        draw.line([(x, 0), (x, height)], fill=(20, 20, 20), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class VerificationFactory(factory.django.DjangoModelFactory):
    """A filled-in passport application, still a draft (use status=... for others)."""

    class Meta:
        model = "verification.Verification"

    user = factory.SubFactory(UserFactory)
    account_type = "individual"
    nationality = "GB"
    document_type = "passport"
    surname = "DOE"
    given_names = "JANE"
    sex = "F"
    date_of_birth = datetime.date(1990, 5, 17)
    document_number = factory.Sequence(lambda n: f"P{n:08d}")
    document_number_hash = factory.LazyAttribute(lambda o: lookup_hash(o.document_number))
    expiry_date = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=3650)
    )


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "verification.Document"

    verification = factory.SubFactory(VerificationFactory)
    kind = "passport_page"
    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="upload.png"))
    content_type = "image/png"
    width = 1200
    height = 850


def screening_hit(verification, entity_id="listed-1", caption="Listed Person", **fields):
    """An open screening hit on `verification` from a small list version made for it."""
    from screening.listdata import content_hash
    from screening.models import Screening, ScreeningHit, Watchlist, WatchlistVersion

    watchlist, _created = Watchlist.objects.get_or_create(name="factory")
    version = WatchlistVersion.objects.create(watchlist=watchlist, label="factory", entity_count=1)
    screening = Screening.objects.create(
        verification=verification,
        reason=Screening.Reason.MONITORING,
        evidence_version=verification.evidence_version,
        state=Screening.State.DONE,
        list_versions=[version.pk],
    )
    data = {"names": [caption], "birth_dates": [], "countries": [], "gender": [], "topics": []}
    defaults = {
        "topics": ["sanction"],
        "entity_data": data,
        "content_hash": content_hash(data),
        "score": 0.95,
        "explanation": {"name": caption, "matched": ["near_name"], "against": []},
    }
    return ScreeningHit.objects.create(
        verification=verification,
        screening=screening,
        list_version=version,
        entity_id=entity_id,
        caption=caption,
        **{**defaults, **fields},
    )
