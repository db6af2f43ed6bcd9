"""The review promise, "within one working day", on a working calendar.

Working days are Monday to Friday, minus the Holiday list. A submission inside a PeakPeriod gets
that period's extra working days. Days are counted in settings.TIME_ZONE.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# Never look further ahead than this for the next working day (a misconfigured holiday list
# must not loop forever).
_HORIZON_DAYS = 370


def working_days_promised() -> int:
    return settings.KYC_SLA_WORKING_DAYS


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def _holidays(first: datetime.date, last: datetime.date) -> set[datetime.date]:
    from .models import Holiday

    return set(
        Holiday.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True)
    )


def peak_extra_days(day: datetime.date) -> int:
    """Extra working days for a submission on `day` (the largest if peaks overlap)."""
    from django.db.models import Max

    from .models import PeakPeriod

    result = PeakPeriod.objects.filter(start_date__lte=day, end_date__gte=day).aggregate(
        extra=Max("extra_working_days")
    )
    return result["extra"] or 0


class WorkingCalendar:
    """Weekends and holidays over a window, loaded with one query."""

    def __init__(self, first: datetime.date, days: int = _HORIZON_DAYS):
        self.holidays = _holidays(first, first + datetime.timedelta(days=days))

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """The first working day strictly after `day`."""
        for _ in range(_HORIZON_DAYS):
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("No working day within a year: check the holiday list.")


def due_at(start: datetime.datetime) -> datetime.datetime:
    """When a review of an application submitted at `start` is due (an aware datetime).

    Submitted on a working day: the same time of day, N working days later. Submitted on a
    weekend or holiday: the clock starts on the next working day, due at the end of its Nth
    working day. N is KYC_SLA_WORKING_DAYS (1) plus any peak period's extra days.
    """
    zone = _zone()
    if timezone.is_naive(start):
        start = timezone.make_aware(start, zone)
    local = start.astimezone(zone)
    day = local.date()
    calendar = WorkingCalendar(day)

    if calendar.is_working_day(day):
        days = working_days_promised() + peak_extra_days(day)
        for _ in range(days):
            day = calendar.next_working_day(day)
        naive = datetime.datetime.combine(day, local.time().replace(tzinfo=None))
    else:
        submitted_on = day
        day = calendar.next_working_day(day)
        # A peak that covers the weekend submission or the day work starts both count.
        days = working_days_promised() + max(peak_extra_days(submitted_on), peak_extra_days(day))
        for _ in range(days - 1):
            day = calendar.next_working_day(day)
        naive = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(naive, zone)


def is_working_day(day: datetime.date) -> bool:
    return WorkingCalendar(day, days=0).is_working_day(day)
