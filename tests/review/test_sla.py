import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from review.models import Holiday, PeakPeriod
from review.sla import due_at, is_working_day

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def at(day: str, hour=10, minute=30, zone=UTC):
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=zone
    )


def test_weekday_submission_is_due_same_time_next_working_day():
    # 2026-11-24 is a Tuesday.
    assert due_at(at("2026-11-24")) == at("2026-11-25")


def test_friday_submission_is_due_on_monday():
    assert due_at(at("2026-11-27", 16, 0)) == at("2026-11-30", 16, 0)


def test_saturday_submission_is_due_at_end_of_monday():
    assert due_at(at("2026-11-28", 9, 0)) == at("2026-11-30", 23, 59).replace(second=59)


def test_sunday_late_submission_is_due_at_end_of_monday():
    assert due_at(at("2026-11-29", 23, 50)) == at("2026-11-30", 23, 59).replace(second=59)


def test_holiday_after_submission_is_skipped():
    Holiday.objects.create(date=datetime.date(2026, 11, 25), name="Founders' day")
    assert due_at(at("2026-11-24")) == at("2026-11-26")


def test_holiday_on_monday_after_friday_submission_pushes_to_tuesday():
    Holiday.objects.create(date=datetime.date(2026, 11, 30), name="Bank holiday")
    assert due_at(at("2026-11-27")) == at("2026-12-01")


def test_submission_on_holiday_counts_from_next_working_day():
    Holiday.objects.create(date=datetime.date(2026, 11, 25), name="Founders' day")
    due = due_at(at("2026-11-25", 8, 0))
    assert due == at("2026-11-26", 23, 59).replace(second=59)


def test_long_holiday_week_is_skipped():
    # Golden week: 1-7 October 2026 (Thursday to Wednesday).
    for day in range(1, 8):
        Holiday.objects.create(date=datetime.date(2026, 10, day), name="National Day")
    assert due_at(at("2026-09-30", 17, 0)) == at("2026-10-08", 17, 0)


def test_peak_period_adds_its_extra_working_days():
    PeakPeriod.objects.create(
        name="S21 launch",
        start_date=datetime.date(2026, 11, 23),
        end_date=datetime.date(2026, 11, 29),
        extra_working_days=2,
    )
    # Tuesday + 3 working days = Friday.
    assert due_at(at("2026-11-24")) == at("2026-11-27")
    # Thursday + 3 working days crosses the weekend: Tuesday.
    assert due_at(at("2026-11-26")) == at("2026-12-01")


def test_peak_ended_before_submission_changes_nothing():
    PeakPeriod.objects.create(
        name="Old launch",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 11, 20),
        extra_working_days=3,
    )
    assert due_at(at("2026-11-24")) == at("2026-11-25")


def test_overlapping_peaks_use_the_largest_extra():
    for extra in (1, 4):
        PeakPeriod.objects.create(
            name=f"Peak {extra}",
            start_date=datetime.date(2026, 11, 20),
            end_date=datetime.date(2026, 11, 30),
            extra_working_days=extra,
        )
    # Tuesday + 5 working days = next Tuesday.
    assert due_at(at("2026-11-24")) == at("2026-12-01")


def test_peak_weekend_submission_and_holiday_combined():
    PeakPeriod.objects.create(
        name="Launch weekend",
        start_date=datetime.date(2026, 11, 28),
        end_date=datetime.date(2026, 11, 29),
        extra_working_days=1,
    )
    Holiday.objects.create(date=datetime.date(2026, 11, 30), name="Bank holiday")
    # Saturday in the peak: work starts Tuesday 1 Dec, two working days: end of Wednesday.
    assert due_at(at("2026-11-28")) == at("2026-12-02", 23, 59).replace(second=59)


def test_working_days_setting_is_respected(settings):
    settings.KYC_SLA_WORKING_DAYS = 2
    assert due_at(at("2026-11-26")) == at("2026-11-30")


def test_days_are_counted_in_the_portal_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    shanghai = ZoneInfo("Asia/Shanghai")
    # Friday 20:00 UTC is already Saturday 04:00 in Shanghai: the clock starts Monday.
    due = due_at(at("2026-11-27", 20, 0))
    assert due == datetime.datetime(2026, 11, 30, 23, 59, 59, tzinfo=shanghai)


def test_naive_start_is_read_in_portal_time_zone():
    assert due_at(datetime.datetime(2026, 11, 24, 10, 30)) == at("2026-11-25")


def test_is_working_day():
    Holiday.objects.create(date=datetime.date(2026, 12, 25), name="Christmas")
    assert is_working_day(datetime.date(2026, 12, 24))
    assert not is_working_day(datetime.date(2026, 12, 25))
    assert not is_working_day(datetime.date(2026, 12, 26))


def test_peak_period_cannot_end_before_it_starts():
    peak = PeakPeriod(
        name="Backwards",
        start_date=datetime.date(2026, 11, 30),
        end_date=datetime.date(2026, 11, 1),
        extra_working_days=1,
    )
    with pytest.raises(ValidationError) as error:
        peak.full_clean()
    assert "end_date" in error.value.message_dict


def test_sla_uses_a_bounded_number_of_queries(django_assert_max_num_queries):
    for day in range(1, 20):
        Holiday.objects.create(date=datetime.date(2026, 12, day), name=f"Day {day}")
    with django_assert_max_num_queries(3):
        due_at(at("2026-11-30"))
