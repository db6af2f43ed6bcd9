"""A screening hit in a real browser: the queue's mark, the hit beside the applicant, Pass
refused, a true match recorded by a reviewer and confirmed by a supervisor (four eyes)."""

import datetime

import pytest

from screening import services
from screening.demo import SAMPLE_DATASET, SAMPLE_LIST
from screening.loading import load_watchlist
from tests.browser.helpers import sign_in
from tests.factories import enable_totp, staff_user
from tests.review.factories import submitted_case, with_ocr
from verification.models import Status

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hit_is_resolved_as_a_true_match_with_a_supervisors_confirmation(
    page, browser, live_server, screenshot_dir
):
    load_watchlist(SAMPLE_LIST, SAMPLE_DATASET)
    case = submitted_case(
        surname="PETROV", given_names="IVAN", date_of_birth=datetime.date(1970, 1, 2),
        nationality="RU", sex="M",
    )  # fmt: skip
    with_ocr(case)
    services.run_screening(services.open_submission_screening(case).pk)
    reviewer = staff_user("Reviewer", mfa=False)
    sign_in(page, reviewer, enable_totp(reviewer))
    page.get_by_role("link", name="Review queue").wait_for()
    page.goto("/review/")
    assert page.inner_text(f"tr[data-case='{case.pk}'] .screening-hit") == "Screening hit"

    page.click(f"tr[data-case='{case.pk}'] button.open-case")
    page.wait_for_selector("#screening .screening-hit")
    assert "Ivan Sergeyevich Petrov" in page.inner_text("#screening")
    page.screenshot(path=f"{screenshot_dir}/screening-hit-case.png", full_page=True)
    page.locator(".language-switcher button[value='zh-hans']").first.click()
    page.wait_for_selector("html[lang='zh-hans'] #screening .screening-hit")
    assert "筛查命中" in page.inner_text("main")
    page.screenshot(path=f"{screenshot_dir}/screening-hit-case-zh.png", full_page=True)
    page.locator(".language-switcher button[value='en']").first.click()
    page.wait_for_selector("html[lang='en'] #screening .screening-hit")
    page.click("#decide-pass")  # no reason box for the hit: Pass is refused
    page.wait_for_selector("#decision-refused, .errorlist")
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW

    page.fill("#screening input[name=reason]", "Same birth date and nationality as listed")
    page.click("#screening button[value=true_match]")
    page.wait_for_selector("text=True match recorded: it waits for a supervisor.")

    supervisor = staff_user("Review supervisor", mfa=False)
    secret = enable_totp(supervisor)
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    second = context.new_page()
    sign_in(second, supervisor, secret)
    second.get_by_role("link", name="Review queue").wait_for()
    second.goto("/review/screening/")
    second.click(f"tr[data-case='{case.pk}'] a")
    second.click("#screening button[value=yes]")
    second.wait_for_selector("text=Thank you: your answer is recorded.")
    context.close()
    case.refresh_from_db()
    assert (case.status, case.may_retry) == (Status.REJECTED, False)
