"""When a pass stops counting: the verified document expires, or the validity period ends."""

import calendar
import datetime
import logging

from django.conf import settings
from django.db.models import Q

from verification.models import Status, Verification
from verification.status import TransitionNotAllowed, change_status

logger = logging.getLogger(__name__)

DOCUMENT_EXPIRED = "document_expired"
PERIOD_ENDED = "period_ended"
DETAILS_CHANGED = "details_changed"

# Written to StatusChange.reason (reviewers read it in the history); the cause is read back
# from it for the customer's wording.
LAPSE_REASONS = {
    DOCUMENT_EXPIRED: "Re-verification: the verified document expired.",
    PERIOD_ENDED: "Re-verification: the validity period of the verification ended.",
    DETAILS_CHANGED: "Re-verification: the customer is changing a verified name or nationality.",
}


def lapse_cause(reason: str) -> str:
    """The cause code behind a LAPSED status change's reason ("" if it is not one of ours)."""
    return next((cause for cause, text in LAPSE_REASONS.items() if text == reason), "")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved on by whole months; the 31st becomes the month's last day when needed."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def valid_until_for(expiry_date: datetime.date | None, passed_on: datetime.date) -> datetime.date:
    """The last day a pass counts: the document's expiry or the end of the validity period
    (settings.KYC_VALIDITY_MONTHS after passing), whichever comes first."""
    period_end = add_months(passed_on, settings.KYC_VALIDITY_MONTHS)
    return min(expiry_date, period_end) if expiry_date else period_end


def lapse_due(today: datetime.date) -> int:
    """Marks every pass that stopped counting before `today` "Re-verification required" (which
    notifies the customer); returns how many were marked. Safe to run twice."""
    due = Verification.objects.filter(status=Status.PASSED).filter(
        Q(valid_until__lt=today) | Q(expiry_date__lt=today)
    )
    marked = 0
    for pk, expiry_date in due.values_list("pk", "expiry_date"):
        cause = DOCUMENT_EXPIRED if expiry_date and expiry_date < today else PERIOD_ENDED
        try:
            change_status(pk, Status.LAPSED, reason=LAPSE_REASONS[cause])
        except TransitionNotAllowed:
            continue  # changed by someone else since the query: nothing to lapse any more
        marked += 1
    logger.info("Re-verification: %s verification(s) lapsed", marked)
    return marked
