"""The customer's journey in a browser: the upload control (progress, done, an oversized file
refused before sending), the in-flight Submit button, the declaration and the status track, in
English and Chinese, at a laptop's width and a phone's."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.browser.helpers import READING_TIMEOUT_MS, sign_in
from tests.factories import UserFactory, VerificationFactory, png_bytes
from tests.verification.conftest import generated_passport
from tests.verification.test_submission import complete_passport_draft
from verification import uploads
from verification.models import Document, OcrResult, Status, Verification
from verification.status import change_status

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}

# Records every state the upload controls go through, with whether they could be pressed, in
# sessionStorage so the record survives the reload that shows the stored image.
RECORD_STATES = """() => {
  const save = (entry) => {
    const seen = JSON.parse(sessionStorage.getItem("states") || "[]");
    seen.push(entry);
    sessionStorage.setItem("states", JSON.stringify(seen));
  };
  document.querySelectorAll("form[data-upload]").forEach((form) => {
    new MutationObserver(() => save({
      state: form.dataset.state,
      progress: form.querySelector("progress").value,
      text: form.querySelector(".upload-status-text").textContent,
      inputsDisabled: [...form.querySelectorAll("input[type=file]")].every((i) => i.disabled),
    })).observe(form, {attributes: true, attributeFilter: ["data-state"]});
  });
}"""


# While the Submit click is on its way: is the button disabled, does the page say so, and does a
# second press (requestSubmit, as a second click would) get through?
WATCH_SUBMIT = """() => {
  const form = document.querySelector("form.submit-once");
  const sent = [];
  form.addEventListener("submit", (event) => {
    sent.push(!event.defaultPrevented);
    if (sent.length > 1) return;
    setTimeout(() => {
      form.requestSubmit();
      const note = form.querySelector(".in-flight");
      sessionStorage.setItem("submit", JSON.stringify({
        sent: sent,
        disabled: form.querySelector("button[value=submit]").disabled,
        note: note.hidden ? "" : note.textContent.trim(),
      }));
    }, 0);
  });
}"""


def _switch_to_chinese(page):
    # Signed in, the language switch sits in the "My Account" menu (and in the header at 1366 px).
    switch = page.get_by_role("button", name="简体中文")
    if not switch.is_visible():
        page.locator("#my-account > summary").click()
    switch.first.click()
    page.wait_for_load_state()


def _server_message(size: int) -> str:
    """What the server answers for a file of this size (the page must say the same)."""
    try:
        uploads.prepare_image(SimpleUploadedFile("big.jpg", bytes(size), "image/jpeg"))
    except ValidationError as error:
        return error.messages[0]
    raise AssertionError("the server accepted the file")


def test_choosing_a_passport_uploads_it_with_progress_then_shows_it(page, tmp_path, screenshot_dir):
    customer = UserFactory()
    VerificationFactory(user=customer, surname="", document_number="")
    image, _truth = generated_passport()
    passport = tmp_path / "passport.png"
    passport.write_bytes(image)
    sign_in(page, customer)
    page.set_viewport_size(LAPTOP)
    page.goto("/kyc/documents/")
    # With the script the drop zone is the control: no separate Upload button to find.
    assert not page.locator("#slot-passport_page .upload-button").is_visible()
    page.evaluate(RECORD_STATES)

    with page.expect_navigation(timeout=READING_TIMEOUT_MS):
        page.locator("#file-passport_page").set_input_files(str(passport))

    states = json.loads(page.evaluate("sessionStorage.getItem('states')"))
    names = [entry["state"] for entry in states]
    assert names[0] == "uploading" and names[-1] == "done"
    assert "reading" in names  # "Reading your document…" while the server reads it inline
    reading = states[names.index("reading")]
    assert reading["progress"] == 100 and reading["text"] == "Reading your document…"
    assert reading["inputsDisabled"]  # cannot be chosen twice while in flight
    assert states[-1]["text"] == "Uploaded. Showing it…"
    document = Document.objects.get(kind=Document.Kind.PASSPORT_DATA_PAGE)
    assert document.ocr.state == OcrResult.State.DONE
    assert page.locator("#slot-passport_page img.thumb").evaluate("i => i.naturalWidth") > 0
    assert "Recognised." in page.locator("#slot-passport_page").inner_text()
    page.screenshot(path=f"{screenshot_dir}/journey-upload-done-1366.png", full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_oversized_file_is_refused_in_the_browser_without_a_request(
    page, settings, tmp_path, screenshot_dir, language
):
    settings.MAX_UPLOAD_BYTES = 200_000
    customer = UserFactory()
    VerificationFactory(user=customer)
    big = tmp_path / "big.jpg"
    big.write_bytes(bytes(300_000))
    sign_in(page, customer)
    page.set_viewport_size(PHONE)
    page.goto("/kyc/documents/")
    if language != "en":
        _switch_to_chinese(page)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    page.locator("#file-holding_photo").set_input_files(str(big))

    error = page.locator("#slot-holding_photo .upload-errors li")
    error.wait_for()
    with translation.override(language):
        assert error.inner_text() == _server_message(300_000)
    assert posts == []
    assert page.locator("#file-holding_photo").input_value() == ""  # ready for another choice
    assert not Document.objects.exists()
    page.screenshot(
        path=f"{screenshot_dir}/journey-upload-too-large-{language}-375.png", full_page=True
    )


def test_the_upload_control_is_disabled_while_the_server_works(
    browser, live_server, tmp_path, screenshot_dir
):
    customer = UserFactory()
    VerificationFactory(user=customer)
    photo = tmp_path / "photo.png"
    photo.write_bytes(png_bytes())
    # A phone: a touch screen, so the control offers the camera too.
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, customer)
    held = []
    page.route(
        "**/kyc/documents/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    page.goto("/kyc/documents/")
    assert page.locator("#slot-holding_photo .camera-button").is_visible()
    assert page.locator("#camera-holding_photo").get_attribute("capture") == "user"
    assert page.locator("#camera-passport_page").get_attribute("capture") == "environment"

    page.locator("#file-holding_photo").set_input_files(str(photo))
    form = page.locator("#slot-holding_photo form[data-upload]")
    page.wait_for_function(
        "() => document.querySelector('#slot-holding_photo form').classList.contains('busy')"
    )
    assert page.locator("#file-holding_photo").is_disabled()
    assert page.locator("#camera-holding_photo").is_disabled()
    assert form.locator(".upload-progress").is_visible()
    assert page.locator("a.continue").get_attribute("aria-disabled") == "true"
    # Not full_page: Chromium drops the touch emulation for a full-page capture.
    page.locator("#slot-holding_photo").scroll_into_view_if_needed()
    page.screenshot(path=f"{screenshot_dir}/journey-upload-in-flight-375.png")
    page.wait_for_function("() => true")  # let the held request reach the handler
    assert len(held) == 1 and not Document.objects.exists()
    with page.expect_navigation(timeout=READING_TIMEOUT_MS):
        held[0].continue_()
    assert Document.objects.filter(kind=Document.Kind.HOLDING_PHOTO).count() == 1
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_submit_is_pressed_once_and_the_status_track_marks_provided(page, screenshot_dir, language):
    customer = UserFactory()
    complete_passport_draft(customer)
    sign_in(page, customer)
    page.goto("/kyc/review/")
    if language != "en":
        _switch_to_chinese(page)
    page.set_viewport_size(LAPTOP)
    submit = page.locator("button[name=action][value=submit]")

    # The declaration is required: the browser asks for the tick, nothing is sent.
    submit.click()
    assert page.locator("#id_declaration").evaluate("box => !box.validity.valid")
    assert Verification.objects.get().status == Status.DRAFT

    page.check("#id_declaration")
    page.screenshot(path=f"{screenshot_dir}/journey-review-{language}-1366.png", full_page=True)
    page.evaluate(WATCH_SUBMIT)
    with page.expect_navigation(timeout=READING_TIMEOUT_MS):
        submit.click()
    watched = json.loads(page.evaluate("sessionStorage.getItem('submit')"))
    assert watched["sent"] == [True, False]  # the second press was stopped in the page
    assert watched["disabled"] is True
    assert watched["note"] == {"en": "Submitting…", "zh-hans": "正在提交…"}[language]

    verification = Verification.objects.get()
    assert verification.status == Status.PROVIDED and verification.declared_at is not None
    stages = page.locator("#status-track li")
    assert stages.count() == 3
    current = page.locator("#status-track li[aria-current=step]")
    assert current.get_attribute("data-status") == "provided"
    label = {"en": "Provided", "zh-hans": "已提供"}[language]
    assert current.inner_text().strip() == label
    number = verification.document_number
    assert (
        number not in page.content() and number[-4:] in page.locator(".masked-number").inner_text()
    )
    page.screenshot(path=f"{screenshot_dir}/journey-status-{language}-1366.png", full_page=True)
    page.set_viewport_size(PHONE)
    box = page.locator("#status-track").bounding_box()
    assert box["width"] <= PHONE["width"]
    page.screenshot(path=f"{screenshot_dir}/journey-status-{language}-375.png", full_page=True)

    # Passed: the track ends on Passed and the details are said once ("What was verified").
    verification = change_status(verification.pk, Status.UNDER_REVIEW, reason="test")
    change_status(
        verification.pk,
        Status.PASSED,
        reason="test",
        decided_at=timezone.now(),
        valid_until=datetime.date(2030, 1, 31),
    )
    page.reload()
    current = page.locator("#status-track li[aria-current=step]")
    assert current.get_attribute("data-status") == "passed"
    assert page.locator("table.summary").count() == 0
    assert page.locator("#verified-details").is_visible()
    page.screenshot(path=f"{screenshot_dir}/journey-passed-{language}-375.png", full_page=True)

    # The User Center now offers View.
    page.goto("/user-center/")
    view = {"en": "View", "zh-hans": "查看"}[language]
    page.locator("#real-name-authentication").get_by_role("link", name=view).click()
    page.wait_for_url("**/kyc/status/")
