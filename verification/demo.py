"""Sample applications for `make run`'s demo: one clearly fake SPECIMEN customer in each status,
walked there through the same domain functions customers and reviewers use."""

import datetime
import io
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from notifications.reverification import LAPSE_REASONS, PERIOD_ENDED
from review import services as review
from review.models import RejectionReason, ReviewDecision

from . import services
from .models import Document, DocumentType, Status
from .status import change_status


class DemoRefused(Exception):
    """Demo data is for a development site only (DEBUG on)."""


@dataclass(frozen=True)
class DemoCase:
    status: str
    given_names: str
    nationality: str  # alpha-2 (the form's value)
    mrz_country: str  # alpha-3 (the passport's)
    sex: str
    born: datetime.date

    @property
    def email(self) -> str:
        return f"{self.given_names.split()[0].lower()}.specimen@demo.local"

    @property
    def document_number(self) -> str:
        # No O, 0, I or 1: the reader rightly refuses to guess those where letters and digits
        # may both stand, and the demo should show clean reads.
        return f"75348629{DEMO_CASES.index(self) + 2}"


SURNAME = "SPECIMEN"
DEMO_CASES = [
    DemoCase(Status.DRAFT, "ALICE DEMO", "NL", "NLD", "F", datetime.date(1985, 3, 14)),
    DemoCase(Status.PROVIDED, "BRUNO DEMO", "FR", "FRA", "M", datetime.date(1979, 11, 2)),
    DemoCase(Status.UNDER_REVIEW, "CHLOE DEMO", "GB", "GBR", "F", datetime.date(1992, 6, 30)),
    DemoCase(
        Status.SUPPLEMENT_REQUESTED, "DMITRI DEMO", "CA", "CAN", "M", datetime.date(1988, 1, 9)
    ),
    DemoCase(Status.PASSED, "EMMA DEMO", "SE", "SWE", "F", datetime.date(1990, 8, 21)),
    DemoCase(Status.REJECTED, "FARID DEMO", "AU", "AUS", "M", datetime.date(1983, 4, 17)),
    DemoCase(Status.LAPSED, "GRETA DEMO", "NZ", "NZL", "F", datetime.date(1975, 12, 5)),
]


def ensure_demo_applications(*, password: str, reviewer, sales_group) -> list:
    """Makes the demo customers (in `sales_group`) and their applications, one per status;
    a customer who already exists is left alone, so running twice adds nothing.

    Raises DemoRefused with DEBUG off: fake people never go into a production database.
    """
    if not settings.DEBUG:
        raise DemoRefused("Demo applications are for a development site only (DEBUG is off).")
    made = []
    # Demo addresses are not real: their notification emails stay in memory instead of going
    # to the console or a mail server.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for case in DEMO_CASES:
            if get_user_model().objects.filter(email__iexact=case.email).exists():
                continue
            made.append(_make_case(case, password=password, reviewer=reviewer, group=sales_group))
    return made


def _make_case(case: DemoCase, *, password, reviewer, group):
    User = get_user_model()
    customer = User(email=case.email, sales_group=group, is_demo=True)
    customer.set_password(password)
    customer.save()
    EmailAddress.objects.create(user=customer, email=case.email, verified=True, primary=True)

    verification = services.start_or_resume(customer)
    certificate = {
        "account_type": "individual",
        "nationality": case.nationality,
        "document_type": DocumentType.PASSPORT,
    }
    services.save_certificate(verification, certificate, actor=customer)
    expiry = timezone.localdate() + datetime.timedelta(days=5 * 365)
    page, holding = passport_images(case, expiry)
    services.add_document(verification, Document.Kind.PASSPORT_DATA_PAGE, page, actor=customer)
    services.add_document(verification, Document.Kind.HOLDING_PHOTO, holding, actor=customer)
    details = {
        "surname": SURNAME,
        "given_names": case.given_names,
        "sex": case.sex,
        "date_of_birth": case.born,
        "document_number": case.document_number,
        "expiry_date": expiry,
    }
    services.save_details(verification, details, actor=customer)
    if case.status == Status.DRAFT:
        return verification

    services.submit(verification, actor=customer, declared=True, confirm_mismatch=True)
    if case.status == Status.PROVIDED:
        return verification
    verification = review.claim(verification.pk, reviewer)
    version = verification.evidence_version
    if case.status == Status.SUPPLEMENT_REQUESTED:
        review.record_decision(
            verification.pk,
            ReviewDecision.Outcome.SUPPLEMENT,
            reviewer=reviewer,
            evidence_version=version,
            requested_items=[f"document:{Document.Kind.HOLDING_PHOTO}"],
            customer_message="Your face is hard to see in the photo: please take it in daylight.",
        )
    elif case.status == Status.REJECTED:
        review.record_decision(
            verification.pk,
            ReviewDecision.Outcome.REJECT,
            reviewer=reviewer,
            evidence_version=version,
            reasons=[RejectionReason.TYPE_NOT_ACCEPTED],
            customer_message="This passport is a specimen. Please apply with your own passport.",
        )
    elif case.status in (Status.PASSED, Status.LAPSED):
        from review.signals import open_signals

        # Every demo customer wears the same sample face: the reviewer explains the signals
        # that raises (the same face under several accounts) as a reviewer would.
        explained = {s.key: "Demo data: checked by eye." for s in open_signals(verification)}
        review.record_decision(
            verification.pk,
            ReviewDecision.Outcome.PASS,
            reviewer=reviewer,
            evidence_version=version,
            accept_documents=True,  # the reviewer's "Accept all and pass"
            acknowledgements=explained,
        )
    if case.status == Status.LAPSED:
        change_status(verification.pk, Status.LAPSED, reason=LAPSE_REASONS[PERIOD_ENDED])
    verification.refresh_from_db()
    return verification


def passport_images(case: DemoCase, expiry: datetime.date):
    """(data page, photo holding it) as uploads: the OCR benchmark's passport with a MRZ."""
    from benchmarks.mrz.generate import passport, render_document

    document = passport(
        SURNAME,
        case.given_names,
        case.mrz_country,
        case.document_number,
        case.born,
        case.sex,
        expiry,
    )
    rng = random.Random(case.email)  # the same picture on every machine
    page = render_document(document, rng, px_per_mm=10)
    # A real face (scikit-image's sample photograph) in the portrait box: the face match and
    # the upload's face check work on the demo as on real applications.
    page.paste(_sample_face(320, 400), (60, 120))
    _stamp_specimen(page)
    return _upload(page, "passport.png"), _upload(_holding_photo(page, rng), "holding.png")


def _stamp_specimen(page: Image.Image) -> None:
    """SPECIMEN in the empty lower right, clear of the details and the machine-readable zone."""
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=page.width // 14)
    centre = (page.width * 76 // 100, page.height * 70 // 100)
    draw.text(centre, "SPECIMEN", font=font, fill=(200, 40, 40), anchor="mm")


def _holding_photo(page: Image.Image, rng: random.Random) -> Image.Image:
    """A simple figure holding the passport up beside their face."""
    skin, shirt = (224, 184, 150), (60, 80, 120)
    photo = Image.new("RGB", (1280, 960), (rng.randint(190, 215), 205, 215))
    draw = ImageDraw.Draw(photo)
    draw.chord((120, 460, 660, 1200), 180, 360, fill=shirt)  # shoulders
    face = _sample_face(300, 380)
    oval = Image.new("L", face.size, 0)
    ImageDraw.Draw(oval).ellipse((15, 0, face.width - 15, face.height), fill=255)
    photo.paste(face, (240, 110), oval)  # a head, with no straight edge round it
    held = page.convert("RGBA").resize((page.width * 45 // 100, page.height * 45 // 100))
    held = held.rotate(rng.uniform(-6, 6), expand=True, resample=Image.Resampling.BICUBIC)
    left, top = 640, 380
    draw.ellipse((left - 40, top + 150, left + 40, top + 260), fill=skin)  # hands
    draw.ellipse((left + held.width - 40, top + 150, left + held.width + 40, top + 260), fill=skin)
    photo.paste(held, (left, top), held)
    return photo


def _sample_face(width: int, height: int) -> Image.Image:
    """The astronaut of scikit-image's sample data, head and shoulders, at this size."""
    from skimage import data

    return Image.fromarray(data.astronaut()[20:250, 110:300]).resize((width, height))


def _upload(image: Image.Image, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
