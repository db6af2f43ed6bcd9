"""Risk signals a reviewer must acknowledge, with a reason, before a case may pass.

One list for the case page and for record_decision, so what the page shows and what Pass
requires can never disagree. Each provider turns the case's facts into signals; a new kind of
check (a face match, a sanctions screening) is one more function in PROVIDERS.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from screening import selectors as screening_selectors
from verification import comparison, policy
from verification import selectors as verification_selectors
from verification.models import Status, Verification

from .models import ReviewDecision, SignalAcknowledgement

# --- the facts of a case -----------------------------------------------------------------------


def _account_erased_at():
    from privacy.models import ErasureRequest

    erasures = ErasureRequest.objects.filter(user=OuterRef("user_id"), completed_at__isnull=False)
    return Subquery(erasures.order_by("completed_at").values("completed_at")[:1])


def account_erased_at(user_id) -> datetime.datetime | None:
    """When this customer erased their account (None if they did not)."""
    from privacy.models import ErasureRequest

    erasure = ErasureRequest.objects.filter(user_id=user_id, completed_at__isnull=False)
    return erasure.order_by("completed_at").values_list("completed_at", flat=True).first()


@dataclass(frozen=True)
class ErasedAccountMatch:
    """An application kept from an erased account with the same document: outcome and date."""

    pk: int
    outcome: str

    @classmethod
    def of(cls, other) -> "ErasedAccountMatch":
        if other.status == Status.REJECTED:
            text = _("rejected on %(date)s")
        elif other.status in (Status.PASSED, Status.LAPSED):
            text = _("passed on %(date)s")
        elif other.awaiting_final_rejection:
            text = _("withdrawn on %(date)s while a final rejection waited for confirmation")
        else:
            text = _("withdrawn undecided on %(date)s")
        when = other.decided_at if other.status != Status.WITHDRAWN else other.account_erased_at
        day = timezone.localdate(when or other.account_erased_at)
        return cls(pk=other.pk, outcome=text % {"date": f"{day:%Y-%m-%d}"})


COMPARED_FIELDS = [
    # (our field, label, key in the OCR fields)
    ("surname", _("Surname"), "surname"),
    ("given_names", _("Given names"), "names"),
    ("document_number", _("Document number"), "number"),
    ("nationality", _("Nationality"), "nationality"),
    ("date_of_birth", _("Date of birth"), "date_of_birth"),
    ("sex", _("Sex"), "sex"),
    ("expiry_date", _("Expiry date"), "expiration_date"),
]


@dataclass(frozen=True)
class ComparedField:
    name: str
    label: str
    typed: str
    read: str
    differs: bool
    hint: str | None = None
    # Read, but the reader could not vouch for it: never a difference, shown with the
    # characters it was unsure of (`read_parts`: (text, unsure) runs) for the reviewer.
    unsure: bool = False
    read_parts: tuple[tuple[str, bool], ...] = ()
    # The document's MRZ layout has no such field (a French 1994 card's expiry): the reviewer
    # checks it on the card itself.
    absent: bool = False


def compare_with_ocr(verification, ocr) -> list[ComparedField]:
    """Typed details beside what OCR read from the MRZ: trusted fields that differ flagged,
    unsure ones marked with their doubtful characters."""
    from verification import mrz
    from verification.mrz.parse import absent_fields

    typed = comparison.typed_details(verification)
    read = ocr.fields if ocr is not None and ocr.fields_json else {}
    trusted = comparison.vouched_fields(ocr) if read else set()
    absent = absent_fields(ocr.mrz_type) if read else frozenset()
    differences = {}
    if read:
        try:
            differences = {d.field: d for d in mrz.compare_typed(typed, read, trusted)}
        except Exception:  # noqa: BLE001 - an odd OCR record must not hide the case page
            differences = {}
    unsure_characters = _unsure_characters(ocr) if read else {}
    rows = []
    for name, label, key in COMPARED_FIELDS:
        difference = differences.get(name)
        read_text = _text(read.get(key)) if read else ""
        unsure = bool(read_text) and key not in trusted
        rows.append(
            ComparedField(
                name=name,
                label=str(label),
                typed=_text(typed.get(name)),
                read=read_text,
                differs=bool(read) and difference is not None,
                hint=getattr(difference, "hint", None),
                unsure=unsure,
                read_parts=unsure_characters.get(key, ()) if unsure and key not in DATES else (),
                absent=key in absent,
            )
        )
    return rows


DATES = ("date_of_birth", "expiration_date")  # shown as dates, not as their MRZ digits


def _unsure_characters(ocr) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Per MRZ field, its printed characters as runs of (text, unsure), fillers as spaces."""
    from verification.mrz.parse import field_positions, parse_mrz

    try:
        fields = parse_mrz(ocr.raw_text)
    except ValueError:
        return {}
    unsure = {tuple(position) for position in ocr.unsure_positions}
    marked = {}
    for name, positions in field_positions(fields).items():
        if name in ("number", "date_of_birth", "expiration_date", "optional_data"):
            positions = positions[:-1] if name in fields.check_digits else positions
        characters = [
            (" " if fields.lines[line][i] == "<" else fields.lines[line][i], (line, i) in unsure)
            for line, i in positions
        ]
        while characters and characters[-1][0] == " ":
            characters.pop()
        runs: list[list] = []
        for char, doubtful in characters:
            if runs and runs[-1][1] == doubtful:
                runs[-1][0] += char
            else:
                runs.append([char, doubtful])
        marked[name] = tuple((text, doubtful) for text, doubtful in runs)
    return marked


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# The identity document first, the holding photo after it: the order a reviewer compares them.
DOCUMENT_ORDER = ["passport_page", "id_front", "id_back", "holding_photo", "business_registration"]


def current_documents(verification):
    """The latest upload of each kind, in the order a reviewer compares them."""
    rank = {kind: index for index, kind in enumerate(DOCUMENT_ORDER)}
    documents = verification_selectors.current_documents(verification).values()
    return sorted(documents, key=lambda d: rank.get(d.kind, len(rank)))


def _ocr_of(document):
    try:
        return document.ocr
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: not read yet
        return None


def mrz_reading(documents):
    """The OCR result of the first identity document with parsed MRZ fields, or None."""
    for document in documents:
        if document.kind in ("passport_page", "id_front", "id_back"):
            ocr = _ocr_of(document)
            if ocr is not None and ocr.fields_json:
                return ocr
    return None


def same_document_applications(verification) -> list:
    """Other accounts' applications with the same document number (kept erased ones included),
    newest first, annotated with account_erased_at and awaiting_final_rejection."""
    if not verification.document_number_hash:
        return []
    others = (
        Verification.objects.filter(document_number_hash=verification.document_number_hash)
        .exclude(user_id=verification.user_id)
        .annotate(
            account_erased_at=_account_erased_at(),
            awaiting_final_rejection=Exists(
                ReviewDecision.objects.filter(
                    verification=OuterRef("pk"),
                    state=ReviewDecision.State.AWAITING_CONFIRMATION,
                )
            ),
        )
        .select_related("user")
        .order_by("-created_at")
    )
    return list(others[:20])


class CaseFacts:
    """What the checks look at, each read once and shared by the case page and the signals."""

    def __init__(self, verification):
        self.verification = verification

    @cached_property
    def documents(self) -> list:
        return current_documents(self.verification)

    @cached_property
    def ocr(self):
        return mrz_reading(self.documents)

    @cached_property
    def comparison(self) -> list[ComparedField]:
        return compare_with_ocr(self.verification, self.ocr)

    @cached_property
    def policy_rules(self) -> list:
        return policy.rules_for(self.verification.nationality, self.verification.document_type)

    @cached_property
    def same_document(self) -> list:
        return same_document_applications(self.verification)

    @cached_property
    def face(self):
        from identity.selectors import face_evidence

        return face_evidence(self.verification, self.documents)

    @cached_property
    def screening(self):
        return screening_selectors.submission_screening(self.verification)

    @cached_property
    def screening_hits(self) -> list:
        return screening_selectors.hits_of(self.verification)


# --- the signals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """One thing a reviewer must look at and explain before passing; `key` is stable per case."""

    key: str
    kind: str
    title: str
    acknowledgement: SignalAcknowledgement | None = None
    # False for what a reason cannot settle (a screening hit is resolved on its own, with four
    # eyes for a true match): it stays open, and Pass refused, until then.
    acknowledgeable: bool = True

    @property
    def is_open(self) -> bool:
        return self.acknowledgement is None


def differing_fields(facts: CaseFacts) -> list[Signal]:
    """A typed detail that disagrees with the MRZ reading, also when it was read late."""
    late = facts.verification.ocr_compared_late_at is not None
    signals = []
    for row in facts.comparison:
        if row.differs:
            if late:
                title = gettext(
                    "%(field)s: typed differs from the document (read after submission)"
                )
            else:
                title = gettext("%(field)s: typed differs from the document")
            signals.append(
                Signal(f"field:{row.name}", "differing_field", title % {"field": row.label})
            )
    return signals


def policy_hits(facts: CaseFacts) -> list[Signal]:
    """An active policy rule for this nationality and document type."""
    return [
        Signal(f"policy:{rule.pk}", "policy", gettext("Policy: %(message)s") % {
            "message": policy.message_of(rule)})
        for rule in facts.policy_rules
    ]  # fmt: skip


def duplicate_documents(facts: CaseFacts) -> list[Signal]:
    """The same document number in another account, erased accounts' kept records included."""
    signals = []
    for other in facts.same_document:
        if other.account_erased_at is None:
            title = gettext("Same document number as application #%(pk)s of another account")
        else:
            title = gettext("Same document as an erased account's application #%(pk)s")
        signals.append(Signal(f"duplicate:{other.pk}", "duplicate", title % {"pk": other.pk}))
    return signals


def face_match(facts: CaseFacts) -> list[Signal]:
    """The holding photo's person against the document's portrait (identity/): anything but a
    clear match of a live face holding this very document, and the same face elsewhere. Faces
    never compared (evidence from before face matching, a failed or stalled match) are a signal
    too; a match still running is one that says so, so that nothing passes before it ends."""
    from identity import selectors as identity_selectors

    face = facts.face
    match = face.match
    progress = face.progress
    if progress is None:
        return []  # no portrait and holding photo to compare
    if match is None:
        title = gettext("Faces not compared (no face match was started): compare the faces by eye")
        return [Signal("face:not-compared", "face", title)]
    if progress == identity_selectors.BEING_COMPARED:
        title = gettext("Faces being compared: wait for the result, or compare the faces by eye")
        return [Signal("face:unfinished", "face", title)]
    if match.state not in (match.State.DONE, match.State.FAILED):  # stalled
        title = gettext(
            "Faces not compared (the face match never finished): compare the faces by eye"
        )
        return [Signal(f"face:stalled:{match.pk}", "face", title)]
    signals = []
    if match.state == match.State.FAILED:
        signals.append(Signal(f"face:failed:{match.pk}", "face", gettext(
            "Faces not compared (the face match failed): compare the faces by eye")))  # fmt: skip
    elif match.verdict != match.Verdict.MATCH:
        signals.append(Signal(f"face:verdict:{match.pk}", "face", gettext(
            "Face match: %(verdict)s") % {"verdict": match.get_verdict_display()}))  # fmt: skip
    if match.picture_held_up:
        signals.append(Signal(f"face:picture:{match.pk}", "face", gettext(
            "A picture of a face is held up in the holding photo instead of a face")))  # fmt: skip
    if match.document_in_hand == match.DocumentInHand.DIFFERENT:
        signals.append(Signal(f"face:document:{match.pk}", "face", gettext(
            "The document held in the photo is not the uploaded one")))  # fmt: skip
    for same in face.same_faces:
        if same.other_account:
            title = gettext("Same face as application #%(pk)s of another account")
        else:
            title = gettext("Same face as application #%(pk)s under a different name")
        key = f"face:same:{same.verification.pk}"
        signals.append(Signal(key, "face", title % {"pk": same.verification.pk}))
    return signals


def screening_hits(facts: CaseFacts) -> list[Signal]:
    """Sanctions and PEP screening: an unresolved hit (never acknowledged by a reason, resolved
    on the case page), and a screening that has not finished, failed or found no list loaded."""
    signals = []
    for hit in facts.screening_hits:
        if hit.is_unresolved:
            title = gettext("Screening hit: %(caption)s (%(topics)s), score %(score).2f") % {
                "caption": hit.caption,
                "topics": ", ".join(hit.topics) or "—",
                "score": hit.score,
            }
            signals.append(Signal(f"screening:{hit.pk}", "screening_hit", title, None, False))
    screening = facts.screening
    if screening is not None and screening.state in ("pending", "running"):
        title = gettext("Sanctions and PEP screening has not finished yet")
        signals.append(Signal(f"screening-pending:{screening.pk}", "screening", title))
    elif screening is not None and screening.state == "failed":
        title = gettext("Sanctions and PEP screening failed: screen the applicant by hand")
        signals.append(Signal(f"screening-failed:{screening.pk}", "screening", title))
    elif screening is not None and screening.state == "done" and not screening.list_versions:
        # Finished against nothing: "no hit" here means nobody looked, not a clean applicant.
        title = gettext("Not screened: no list loaded. Screen the applicant by hand")
        signals.append(Signal(f"screening-unlisted:{screening.pk}", "screening", title))
    return signals


PROVIDERS: list[Callable[[CaseFacts], list[Signal]]] = [
    differing_fields,
    policy_hits,
    duplicate_documents,
    face_match,
    screening_hits,
]


def signals_for(verification, facts: CaseFacts | None = None) -> list[Signal]:
    """Every signal of the case, each with its acknowledgement for the current evidence, if any."""
    facts = facts or CaseFacts(verification)
    acknowledged = {
        ack.key: ack
        for ack in SignalAcknowledgement.objects.filter(
            verification_id=verification.pk, evidence_version=verification.evidence_version
        ).select_related("reviewer")
    }  # ordered oldest first: the latest acknowledgement of a key wins
    return [
        replace(signal, acknowledgement=acknowledged.get(signal.key))
        if signal.acknowledgeable
        else signal
        for provider in PROVIDERS
        for signal in provider(facts)
    ]


def open_signals(verification, facts: CaseFacts | None = None) -> list[Signal]:
    """The signals nobody has acknowledged for the current evidence: Pass needs none left."""
    return [signal for signal in signals_for(verification, facts) if signal.is_open]
