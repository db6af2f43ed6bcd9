"""Read-only questions for the review pages and for other apps (notifications, status page)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kyc_portal.crypto import lookup_hash
from screening import selectors as screening_selectors
from verification import policy
from verification.models import Document, Status, Verification

from .models import CORRECTABLE_FIELDS, ReviewDecision
from .signals import CaseFacts, ErasedAccountMatch, _ocr_of, account_erased_at, signals_for

QUEUE_STATUSES = (Status.PROVIDED, Status.UNDER_REVIEW)


def latest_decision(verification) -> ReviewDecision | None:
    """The decision in effect for this application (pass, rejection or supplement request).

    For messages to the customer: `.outcome`, `.reason_labels`, `.customer_message`, `.final`,
    `.requested_items` (see requested_item_labels). Never show `.internal_note` to a customer.
    """
    return (
        ReviewDecision.objects.filter(
            verification=verification, state=ReviewDecision.State.EFFECTIVE
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def requested_item_label(item: str) -> str:
    """A customer-readable label for a "document:<kind>" or "field:<name>" item."""
    kind, _sep, name = item.partition(":")
    if kind == "document" and name in Document.Kind.values:
        return str(Document.Kind(name).label)
    if kind == "field" and name in CORRECTABLE_FIELDS:
        return str(CORRECTABLE_FIELDS[name])
    return item


def requested_item_labels(items) -> list[str]:
    return [requested_item_label(item) for item in items or []]


def queue_base():
    # Returned supplements first: those customers have already waited through one review.
    return (
        Verification.objects.filter(status__in=QUEUE_STATUSES)
        .annotate(screening_hit=screening_selectors.has_unresolved_hit())
        .select_related("user", "assigned_to")
        .order_by("-supplement_returned", "sla_due_at", "submitted_at", "pk")
    )


def search_query(text: str) -> Q:
    """Email, name, organisation or document number (matched through its keyed hash)."""
    text = text.strip()
    query = (
        Q(user__email__icontains=text)
        | Q(surname__icontains=text)
        | Q(given_names__icontains=text)
        | Q(organization_name__icontains=text)
        | Q(document_number_hash=lookup_hash(text))
    )
    if text.lstrip("#").isdigit():
        query |= Q(pk=int(text.lstrip("#")))
    return query


def filtered_queue(user, filters: dict):
    """The queue, most urgent first, narrowed by the queue form's cleaned data."""
    cases = queue_base()
    if filters.get("status"):
        cases = cases.filter(status=filters["status"])
    if filters.get("ocr_mismatch"):
        cases = cases.filter(Q(ocr_mismatch=True) | Q(ocr_matched=False))
    if filters.get("returned"):
        cases = cases.filter(supplement_returned=True)
    if filters.get("screening_hit"):
        cases = cases.filter(screening_hit=True)
    if filters.get("nationality"):
        cases = cases.filter(nationality=filters["nationality"])
    if filters.get("document_type"):
        cases = cases.filter(document_type=filters["document_type"])
    if filters.get("account_type"):
        cases = cases.filter(account_type=filters["account_type"])
    if filters.get("mine"):
        cases = cases.filter(assigned_to=user)
    if filters.get("q"):
        cases = cases.filter(search_query(filters["q"]))
    return cases


def claim_idle_limit() -> datetime.timedelta:
    """How long an opened case stays with its reviewer without activity."""
    return datetime.timedelta(minutes=settings.KYC_REVIEW_CLAIM_IDLE_MINUTES)


def available_cases(reviewer, now=None):
    """Cases a reviewer may claim now, most urgent first: queued, or claimed but gone idle."""
    now = now or timezone.now()
    return (
        queue_base()
        .filter(
            Q(status=Status.PROVIDED)
            | Q(status=Status.UNDER_REVIEW, assigned_to__isnull=True)
            | Q(status=Status.UNDER_REVIEW, claimed_at__lt=now - claim_idle_limit())
        )
        .exclude(user=reviewer)
        .exclude(review_decisions__state=ReviewDecision.State.AWAITING_CONFIRMATION)
    )


@dataclass(frozen=True)
class SlaState:
    due_at: datetime.datetime | None
    now: datetime.datetime

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < self.now

    @property
    def due_soon(self) -> bool:
        return (
            self.due_at is not None
            and not self.overdue
            and self.due_at - self.now < datetime.timedelta(hours=4)
        )

    @property
    def css(self) -> str:
        if self.due_at is None:
            return "sla-none"
        return "sla-overdue" if self.overdue else ("sla-soon" if self.due_soon else "sla-ok")


def sla_state(verification, now=None) -> SlaState:
    return SlaState(verification.sla_due_at, now or timezone.now())


def dashboard(now=None) -> dict:
    """Queue size, oldest case, overdue count and decisions per reviewer per day (7 days)."""
    now = now or timezone.now()
    queue = Verification.objects.filter(status__in=QUEUE_STATUSES)
    totals = queue.aggregate(
        size=Count("pk"),
        oldest=Min("submitted_at"),
        overdue=Count("pk", filter=Q(sla_due_at__lt=now)),
        claimed=Count("pk", filter=Q(status=Status.UNDER_REVIEW)),
        returned=Count("pk", filter=Q(supplement_returned=True)),
    )
    since = now - datetime.timedelta(days=7)
    per_day = (
        ReviewDecision.objects.filter(created_at__gte=since)
        .exclude(state=ReviewDecision.State.DECLINED)
        .annotate(day=TruncDate("created_at"))
        .values("reviewer__email", "day", "outcome")
        .annotate(count=Count("pk"))
        .order_by("-day", "reviewer__email", "outcome")
    )
    rows: dict[tuple, dict] = {}
    for row in per_day:
        key = (row["day"], row["reviewer__email"] or "—")
        entry = rows.setdefault(
            key, {"day": key[0], "reviewer": key[1], "total": 0, "pass": 0, "reject": 0,
                  "supplement": 0}
        )  # fmt: skip
        entry[row["outcome"]] = row["count"]
        entry["total"] += row["count"]
    oldest = queue.filter(submitted_at=totals["oldest"]).first() if totals["oldest"] else None
    return {
        **totals,
        "oldest_case": oldest,
        "decisions_per_day": list(rows.values()),
        "awaiting_confirmation": ReviewDecision.objects.filter(
            state=ReviewDecision.State.AWAITING_CONFIRMATION
        )
        .select_related("verification", "reviewer")
        .order_by("created_at"),
    }


# --- the case page -----------------------------------------------------------------------------


# The MRZ's check digits by the key the reader gives them, in the order they are printed.
CHECK_DIGIT_LABELS = {
    "number": _("Document number"),
    "date_of_birth": _("Date of birth"),
    "expiration_date": _("Expiry date"),
    "optional_data": _("Optional data"),
    "composite": _("Whole line (composite)"),
}


def labelled_check_digits(ocr) -> list[tuple[str, bool]]:
    """The OCR reading's check digits as (label, passed), labelled for people, not by key."""
    checks = (ocr.check_digits or {}) if ocr is not None else {}
    labelled = [
        (str(label), checks[key]) for key, label in CHECK_DIGIT_LABELS.items() if key in checks
    ]
    # A check the reader reports that we have no label for still shows, so a failure is seen.
    labelled += [
        (str(_("Other check digit")), ok)
        for key, ok in checks.items()
        if key not in CHECK_DIGIT_LABELS
    ]
    return labelled


def case_details(verification) -> dict:
    """Everything the case page shows, gathered in a fixed number of queries."""
    from accounts.risk import events_for

    facts = CaseFacts(verification)
    documents = facts.documents
    same_number = facts.same_document
    return {
        "documents": [(d, _ocr_of(d)) for d in documents],
        "holding_photo": next((d for d in documents if d.kind == "holding_photo"), None),
        "ocr": facts.ocr,
        "comparison": facts.comparison,
        "check_digits": labelled_check_digits(facts.ocr),
        "policy_hits": [policy.message_of(rule) for rule in facts.policy_rules],
        "face": facts.face,
        # The same list record_decision checks before a pass.
        "signals": signals_for(verification, facts),
        "screening": facts.screening,
        "screening_hits": facts.screening_hits,
        "earlier_applications": list(
            Verification.objects.filter(user_id=verification.user_id)
            .exclude(pk=verification.pk)
            .order_by("-created_at")[:20]
        ),
        # Records kept from erased accounts are named by outcome and date only: the erased
        # person's details are gone, and their placeholder address means nothing to a reviewer.
        "same_document_number": [o for o in same_number if o.account_erased_at is None],
        "same_document_erased": [
            ErasedAccountMatch.of(o) for o in same_number if o.account_erased_at is not None
        ],
        "account_erased_at": account_erased_at(verification.user_id),
        "risk_events": list(events_for(verification.user).order_by("-pk")[:20]),
        "status_changes": list(
            verification.status_changes.select_related("actor").order_by("created_at", "pk")
        ),
        "audit_events": list(
            verification.audit_events.select_related("actor").order_by("-created_at", "-pk")[:100]
        ),
        "decisions": list(
            verification.review_decisions.select_related("reviewer", "confirmation__supervisor")
        ),
        "acknowledgements": list(
            verification.signal_acknowledgements.select_related("reviewer").order_by(
                "created_at", "pk"
            )
        ),
        "awaiting_confirmation": next(
            (
                d
                for d in verification.review_decisions.all()
                if d.state == ReviewDecision.State.AWAITING_CONFIRMATION
            ),
            None,
        ),
    }


@dataclass(frozen=True)
class NewSinceRequest:
    """What a returned supplement replaced: document ids and detail names, with labels."""

    documents: frozenset = frozenset()
    fields: frozenset = frozenset()
    labels: tuple = ()


def new_since_request(verification, details: dict) -> NewSinceRequest:
    """For a case back from a supplement request: the items the customer replaced since."""
    if not verification.supplement_returned or verification.status not in QUEUE_STATUSES:
        return NewSinceRequest()
    request = next(
        (d for d in details["decisions"] if d.outcome == ReviewDecision.Outcome.SUPPLEMENT), None
    )  # decisions are newest first
    if request is None:
        return NewSinceRequest()
    kinds = {i.partition(":")[2] for i in request.requested_items if i.startswith("document:")}
    documents = frozenset(
        document.pk
        for document, _ocr in details["documents"]
        if document.kind in kinds and document.created_at > request.created_at
    )
    fields = frozenset(
        i.partition(":")[2] for i in request.requested_items if i.startswith("field:")
    )
    return NewSinceRequest(documents, fields, tuple(requested_item_labels(request.requested_items)))
