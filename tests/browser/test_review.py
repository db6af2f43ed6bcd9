"""A reviewer takes the most urgent case from the queue and passes it, in a real browser."""

import pytest

from tests.browser.helpers import sign_in
from tests.factories import staff_user
from tests.review.factories import submitted_case, with_ocr
from verification.models import Status, StatusChange

pytestmark = pytest.mark.django_db(transaction=True)


def test_reviewer_takes_case_from_queue_and_passes_it(page, screenshot_dir):
    from tests.factories import enable_totp

    reviewer = staff_user("Reviewer", mfa=False)
    secret = enable_totp(reviewer)
    case = submitted_case(surname="<script>ALERT</script>", due_in_hours=-1)
    with_ocr(case)
    submitted_case(due_in_hours=30)

    sign_in(page, reviewer, secret)
    page.get_by_role("link", name="Review queue").wait_for()
    page.goto("/review/")
    page.wait_for_selector(f"tr[data-case='{case.pk}']")
    page.screenshot(path=f"{screenshot_dir}/review-queue.png", full_page=True)
    assert "<script>ALERT</script>" in page.inner_text(f"tr[data-case='{case.pk}']")

    # Click 1: open the most urgent case (first row).
    page.click(f"tr[data-case='{case.pk}'] button.open-case")
    page.wait_for_url(f"**/review/{case.pk}/")
    page.wait_for_selector("#decide-pass")
    # Look: the image viewer works (zoom, rotate) without inline scripts.
    page.click("[data-zoom=in]")
    page.click("[data-rotate]")
    page.screenshot(path=f"{screenshot_dir}/review-case.png", full_page=False)
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and case.assigned_to_id == reviewer.pk

    # Click 2: accept all and pass.
    assert page.inner_text("#decide-pass") == "Accept all and pass"
    page.click("#decide-pass")
    page.wait_for_selector("#latest-decision")
    assert page.inner_text("#case-status") == "Passed"
    case.refresh_from_db()
    assert case.status == Status.PASSED
    passed = StatusChange.objects.filter(verification=case, new=Status.PASSED, actor=reviewer)
    assert passed.exists()
    assert set(case.documents.values_list("review_state", flat=True)) == {"accepted"}

    # Next case takes the reviewer straight on.
    page.click("#next-case")
    page.wait_for_selector("#decide-pass")
    assert f"/review/{case.pk}/" not in page.url


def test_a_right_to_left_override_in_an_organization_name_cannot_reorder_the_case_header(
    page, screenshot_dir
):
    from tests.factories import enable_totp

    # Stored directly, as before the wizard refused invisible characters (issue 12).
    reviewer = staff_user("Reviewer", mfa=False)
    secret = enable_totp(reviewer)
    case = submitted_case(account_type="organization", organization_name="Acme Mining Ltd\u202e")

    page.set_viewport_size({"width": 1800, "height": 900})  # the header on one line
    sign_in(page, reviewer, secret)
    page.get_by_role("link", name="Review queue").wait_for()
    page.goto(f"/review/{case.pk}/")
    page.wait_for_selector(".case-meta")
    page.screenshot(path=f"{screenshot_dir}/review-case-rtl-override.png", full_page=False)

    # Where each fact is drawn: an unisolated override would draw the rest of the header
    # reversed, right to left ("dettimbuS" and the version before the submission time).
    boxes = page.evaluate(
        """(words) => {
            const found = {};
            const walker = document.createTreeWalker(
                document.querySelector(".case-meta"), NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const word of words) {
                    const at = node.data.indexOf(word);
                    if (at >= 0 && !(word in found)) {
                        const range = document.createRange();
                        range.setStart(node, at);
                        range.setEnd(node, at + word.length);
                        const box = range.getBoundingClientRect();
                        found[word] = [box.left, box.top];
                    }
                }
            }
            return found;
        }""",
        ["Acme Mining Ltd", "Language", "Submitted", "Evidence version"],
    )
    assert len(boxes) == 4
    assert len({top for _left, top in boxes.values()}) == 1  # one line
    lefts = [left for left, _top in boxes.values()]  # in the order the facts are written
    assert lefts == sorted(lefts)


def test_pass_is_refused_until_a_differing_field_is_explained(page, screenshot_dir):
    from review.models import SignalAcknowledgement
    from tests.factories import UserFactory, enable_totp

    reviewer = staff_user("Reviewer", mfa=False)
    secret = enable_totp(reviewer)
    case = submitted_case(user=UserFactory(preferred_language="zh-hans"), ocr_mismatch=True)
    with_ocr(case, surname="DOEE")

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, reviewer, secret)
    page.get_by_role("link", name="Review queue").wait_for()
    page.goto("/review/")
    page.click(f"tr[data-case='{case.pk}'] button.open-case")
    page.wait_for_selector("#signals")
    assert "Surname: typed differs from the document" in page.inner_text("#signals")
    assert page.is_visible("#manual-verification-chosen")
    page.screenshot(path=f"{screenshot_dir}/review-case-signal.png", full_page=True)

    # Pass without a reason: refused, naming the open signal; nothing decided.
    page.click("#decide-pass")
    page.wait_for_selector(".errorlist")
    assert "Signals not acknowledged: Surname" in page.inner_text("#decision-form")
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW

    # The supplement box follows the ticked items in the customer's language (Chinese here),
    # whatever rejection reason is ticked.
    page.locator("details.decision-more summary").click()
    page.check("input[name=reasons][value='inconsistent']")
    page.check("input[name=requested_items][value='field:surname']")
    assert "未通过" in page.input_value("textarea[name=reject_message]")
    supplement = page.input_value("textarea[name=supplement_message]")
    assert "未通过" not in supplement and "请按证件上印刷的内容重新填写" in supplement

    reason = "The MRZ has a smudge after DOE; the printed page reads DOE."
    page.fill("input[name='acknowledge:field:surname']", reason)
    page.click("#decide-pass")
    page.wait_for_selector("#latest-decision")
    case.refresh_from_db()
    assert case.status == Status.PASSED
    assert SignalAcknowledgement.objects.get(verification=case).reason == reason
    page.locator("#history summary").click()
    assert reason in page.inner_text("#acknowledgements")


def test_case_page_screenshots_in_english_and_chinese(page, screenshot_dir):
    from tests.factories import enable_totp

    reviewer = staff_user("Reviewer", mfa=False)
    secret = enable_totp(reviewer)
    case = submitted_case(ocr_mismatch=True)
    with_ocr(case, number="X0000000")
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, reviewer, secret)
    page.get_by_role("link", name="Review queue").wait_for()
    page.goto("/review/")
    page.click(f"tr[data-case='{case.pk}'] button.open-case")
    page.wait_for_selector("#signals")
    page.screenshot(path=f"{screenshot_dir}/review-case-en.png", full_page=False)
    page.locator(".language-switcher button[value='zh-hans']").first.click()
    page.wait_for_selector("html[lang='zh-hans']")
    page.wait_for_selector("#signals")
    assert "通过前需确认" in page.inner_text("#signals")
    page.screenshot(path=f"{screenshot_dir}/review-case-zh.png", full_page=False)
