"""What a notification says: the facts it shows, gathered once for the inbox and the email."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from verification.models import Document, Status, Verification

from .models import Kind, Notification
from .reverification import (
    DETAILS_CHANGED,
    DOCUMENT_EXPIRED,
    PERIOD_ENDED,
    lapse_cause,
)

LAPSE_EXPLANATIONS = {
    DOCUMENT_EXPIRED: _("The document you were verified with has expired."),
    PERIOD_ENDED: _("Your verification has reached the end of its validity period."),
    DETAILS_CHANGED: _("You are changing your verified name or nationality."),
}

_DECISION_OUTCOME = {
    Kind.SUPPLEMENT_REQUESTED: "supplement",
    Kind.REJECTED: "reject",
    Kind.PASSED: "pass",
}


def snapshot(change, kind: str) -> dict:
    """The facts of a status change a message must keep showing even if the application moves on."""
    verification = change.verification
    if kind == Kind.RECEIVED:
        return {"resubmission": change.old == Status.SUPPLEMENT_REQUESTED}
    if kind == Kind.SUPPLEMENT_REQUESTED:
        return {"requested_items": list(verification.requested_items or [])}
    if kind == Kind.PASSED:
        valid_until = verification.valid_until
        return {"valid_until": valid_until.isoformat() if valid_until else None}
    if kind == Kind.REJECTED:
        return {"may_retry": bool(verification.may_retry)}
    if kind == Kind.REVERIFICATION_REQUIRED:
        return {"cause": lapse_cause(change.reason)}
    return {}


def decision_for(verification: Verification, kind: str, *, until=None):
    """The reviewer's decision behind a supplement request, pass or rejection (None if none).

    Decisions are written in the same transaction as the status change, so the latest one of the
    right outcome made before the next status change is the one.
    """
    from review.models import ReviewDecision

    outcome = _DECISION_OUTCOME.get(kind)
    if outcome is None:
        return None
    decisions = ReviewDecision.objects.filter(verification=verification, outcome=outcome).exclude(
        state=ReviewDecision.State.DECLINED
    )
    if until is not None:
        decisions = decisions.filter(created_at__lte=until)
    return decisions.order_by("-created_at", "-pk").first()


def _next_change_time(notification: Notification):
    change = notification.status_change
    if change is None:
        return None
    later = (
        notification.verification.status_changes.filter(pk__gt=change.pk)
        .order_by("pk")
        .values_list("created_at", flat=True)
        .first()
    )
    return later


def url(name: str, *args, absolute: bool = False) -> str:
    """A path, or for emails (sent outside any request) a full address, for a URL name."""
    path = reverse(name, args=args)
    return f"{settings.PORTAL_URL.rstrip('/')}{path}" if absolute else path


def item_label(item: str) -> str:
    """A requested item ("document:passport_page", "field:surname") as the customer reads it."""
    what, _sep, name = item.partition(":")
    if what == "document" and name in Document.Kind.values:
        return str(_("Re-upload: %(document)s") % {"document": Document.Kind(name).label})
    if what == "field":
        try:
            field = Verification._meta.get_field(name)
        except Exception:  # an unknown field name: show it rather than fail the whole message
            return name
        return str(_("Correct: %(field)s") % {"field": str(field.verbose_name).capitalize()})
    return item


def item_url(item: str, *, absolute: bool = False) -> str:
    """Where the customer changes one requested item in the wizard."""
    what, _sep, name = item.partition(":")
    if what == "document":  # the wizard's upload slot for that kind of document
        return url("verification:documents", absolute=absolute) + f"#slot-{name}"
    return url("verification:details", absolute=absolute) + f"#id_{name}"


def requested_items(items, *, absolute: bool = False) -> list[dict]:
    return [
        {"code": item, "label": item_label(item), "url": item_url(item, absolute=absolute)}
        for item in items
    ]


def context_for(notification: Notification, *, absolute: bool = False) -> dict:
    """Everything the message templates show, for the inbox (paths) or an email (full URLs)."""
    kind = notification.kind
    data = notification.data or {}
    verification = notification.verification
    decision = decision_for(verification, kind, until=_next_change_time(notification))
    ctx = {
        "notification": notification,
        "kind": kind,
        "title": Kind(kind).label,
        "verification": verification,
        "customer_message": decision.customer_message if decision else "",
        "reasons": decision.reason_labels if decision and kind == Kind.REJECTED else [],
        "status_url": url("verification:status", absolute=absolute),
        "message_url": url("notifications:detail", notification.pk, absolute=absolute),
        "inbox_url": url("notifications:inbox", absolute=absolute),
    }
    if kind == Kind.RECEIVED:
        ctx["resubmission"] = data.get("resubmission", False)
        ctx["expected_by"] = verification.sla_due_at
    elif kind == Kind.SUPPLEMENT_REQUESTED:
        items = data.get("requested_items") or (decision.requested_items if decision else [])
        ctx["items"] = requested_items(items, absolute=absolute)
    elif kind == Kind.PASSED:
        valid_until = data.get("valid_until")
        ctx["valid_until"] = (
            datetime.date.fromisoformat(valid_until) if valid_until else verification.valid_until
        )
    elif kind == Kind.REJECTED:
        # The flag start_retry checks, so the message never offers what the button refuses.
        ctx["may_retry"] = verification.may_retry
    elif kind == Kind.REVERIFICATION_REQUIRED:
        ctx["explanation"] = LAPSE_EXPLANATIONS.get(data.get("cause", ""), "")
        ctx["details_changed"] = data.get("cause") == DETAILS_CHANGED
        ctx["start_url"] = url("verification:start", absolute=absolute)
    return ctx
