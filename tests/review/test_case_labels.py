"""The case page names things as people do: no field keys such as date_of_birth on screen."""

import re

import pytest
from django.urls import reverse

from tests.pages import visible_text

from .factories import submitted_case, with_ocr

pytestmark = pytest.mark.django_db


FIELD_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def test_check_digit_chips_are_labelled_not_keyed(client, reviewer):
    case = submitted_case()
    ocr = with_ocr(case)
    ocr.check_digits = {**ocr.check_digits, "optional_data": True, "composite": False}
    ocr.save()
    client.force_login(reviewer)

    text = visible_text(client.get(reverse("review:detail", args=[case.pk])))

    assert FIELD_KEY.findall(text.replace(case.user.email, "")) == []
    assert "Date of birth ✓" in text
    assert "Expiry date ✓" in text
    assert "Optional data ✓" in text
    assert "Whole line (composite) ✗" in text


def test_check_digit_chips_in_chinese(client, reviewer):
    case = submitted_case()
    with_ocr(case)
    client.force_login(reviewer)
    client.post(reverse("accounts:set_language"), {"language": "zh-hans"})

    text = visible_text(client.get(reverse("review:detail", args=[case.pk])))

    assert "出生日期 ✓" in text
    assert "有效期至 ✓" in text
    assert "expiration_date" not in text
    assert "OCR：" in text and "OCR:" not in text  # full-width colon in Chinese


def test_an_unlabelled_check_digit_still_shows_its_failure(client, reviewer):
    case = submitted_case()
    ocr = with_ocr(case)
    ocr.check_digits = {**ocr.check_digits, "some_future_check": False}
    ocr.save()
    client.force_login(reviewer)

    text = visible_text(client.get(reverse("review:detail", args=[case.pk])))

    assert "Other check digit ✗" in text
    assert "some_future_check" not in text
