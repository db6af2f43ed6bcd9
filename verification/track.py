"""The customer's progress track on the status page: Provided -> Under review -> Passed."""

from dataclasses import dataclass

from .models import Status, Verification
from .selectors import CUSTOMER_LABELS

MAIN_STAGES = (Status.PROVIDED, Status.UNDER_REVIEW, Status.PASSED)
# A supplement request is still "Under review" to the customer (the source FAQ).
STAGE_OF = {Status.SUPPLEMENT_REQUESTED: Status.UNDER_REVIEW}
ENDINGS = (Status.REJECTED, Status.WITHDRAWN, Status.LAPSED)


@dataclass(frozen=True)
class Stage:
    status: str
    label: str
    state: str  # "done", "current" or "upcoming"
    ending: bool = False  # rejected, withdrawn or lapsed: shown after the stages reached


def track_for(verification: Verification | None) -> list[Stage]:
    """The stages to show, the current one last reached; [] before submission."""
    if verification is None or verification.status == Status.DRAFT:
        return []
    current = STAGE_OF.get(verification.status, verification.status)
    if current in MAIN_STAGES:
        reached = MAIN_STAGES.index(current)
        return [
            Stage(
                status,
                CUSTOMER_LABELS[status],
                "done" if index < reached else "current" if index == reached else "upcoming",
            )
            for index, status in enumerate(MAIN_STAGES)
        ]
    # An ending: the main stages the application went through, then how it ended.
    history = {
        STAGE_OF.get(new, new) for new in verification.status_changes.values_list("new", flat=True)
    }
    stages = [
        Stage(status, CUSTOMER_LABELS[status], "done")
        for status in MAIN_STAGES
        if status in history
    ]
    return [*stages, Stage(current, CUSTOMER_LABELS[current], "current", ending=True)]
