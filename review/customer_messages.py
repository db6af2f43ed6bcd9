"""What the customer reads from a decision: ready-made texts that follow the chosen outcome.

The case page pre-fills its message boxes from these texts and record_decision checks the
message it saves against them, so a supplement request never tells the customer "not approved".
"""

from django.utils import translation
from django.utils.translation import gettext as _

from verification.models import Document

from .models import CORRECTABLE_FIELDS, RejectionReason, ReviewDecision

PASS = ReviewDecision.Outcome.PASS.value
REJECT = ReviewDecision.Outcome.REJECT.value
SUPPLEMENT = ReviewDecision.Outcome.SUPPLEMENT.value


def customer_language(verification) -> str:
    return verification.user.preferred_language or "en"


def _leads() -> dict:
    """The opening sentence of each outcome's message, in the active language."""
    return {
        PASS: _("Your real-name authentication has passed. Thank you."),
        REJECT: _("Your real-name authentication was not approved:"),
        SUPPLEMENT: _("We need a little more from you before we can finish your review."),
    }


def _item_parts(items) -> tuple[list[str], list[str]]:
    """Requested items split into document labels (re-upload) and detail labels (re-enter)."""
    documents, details = [], []
    for item in items or []:
        kind, _sep, name = item.partition(":")
        if kind == "document" and name in Document.Kind.values:
            documents.append(str(Document.Kind(name).label))
        elif kind == "field" and name in CORRECTABLE_FIELDS:
            details.append(str(CORRECTABLE_FIELDS[name]))
    return documents, details


def _sentences() -> dict:
    return {
        "reupload": _("Please upload a new picture of: %(items)s."),
        "reenter": _("Please enter again, exactly as printed on your document: %(items)s."),
        "submit": _("Then submit your application again."),
        "separator": _(", "),
    }


def supplement_text(items, language: str) -> str:
    """A supplement request's message: what to re-upload, what to re-enter, then submit."""
    with translation.override(language):
        sentences = _sentences()
        documents, details = _item_parts(items)
        parts = [_leads()[SUPPLEMENT]]
        if documents:
            parts.append(sentences["reupload"] % {"items": sentences["separator"].join(documents)})
        if details:
            parts.append(sentences["reenter"] % {"items": sentences["separator"].join(details)})
        parts.append(sentences["submit"])
        return " ".join(parts)


def default_text(outcome: str, language: str, *, items=()) -> str:
    """The message used when the reviewer leaves the box empty (a rejection needs one)."""
    if outcome == SUPPLEMENT:
        return supplement_text(items, language)
    if outcome == PASS:
        with translation.override(language):
            return _leads()[PASS]
    return ""


def contradicting_outcome(outcome: str, message: str, language: str) -> str | None:
    """The other outcome whose opening sentence `message` carries, or None when it fits.

    Checked in the customer's language and in English (a reviewer may write either).
    """
    text = message.casefold()
    for lang in dict.fromkeys([language, "en"]):
        with translation.override(lang):
            leads = _leads()
        for other, lead in leads.items():
            if other in (outcome, SUPPLEMENT):
                continue  # the supplement opening is mild enough to fit any outcome
            if _first_sentence(lead).casefold() in text:
                return other
    return None


def _first_sentence(text: str) -> str:
    return text.split(".")[0].split("。")[0].rstrip(":：").strip()


def page_texts(verification) -> dict:
    """Everything the case page's script needs to pre-fill the messages, in the customer's
    language."""
    language = customer_language(verification)
    with translation.override(language):
        leads = _leads()
        return {
            "language": language,
            **leads,
            **_sentences(),
            "reasons": {code: str(label) for code, label in RejectionReason.choices},
            "items": {f"document:{kind}": str(label) for kind, label in Document.Kind.choices}
            | {f"field:{name}": label for name, label in _field_labels().items()},
        }


def _field_labels() -> dict:
    return {name: str(label) for name, label in CORRECTABLE_FIELDS.items()}
