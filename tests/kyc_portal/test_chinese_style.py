"""Chinese text addresses the customer as 您 and uses full-width punctuation."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.pages import visible_text

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
# A half-width comma, colon, semicolon, question or exclamation mark or bracket touching a
# Chinese character or full-width punctuation ("邮箱注册:不能" should read "邮箱注册：不能"), or a
# half-width full stop after one.
HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"{CJK}[,:;?!().]|[,:;?!()]{CJK}")
# Placeholders and markup are not prose: "（%(date)s）" and "<strong>" may sit beside Chinese.
NOT_PROSE = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]*>")


def style_problems(text: str) -> list[str]:
    problems = []
    if "你" in text:
        problems.append("你 (use 您)")
    prose = NOT_PROSE.sub("\u2060", text)
    problems += [f"half-width {m.group()!r}" for m in HALF_WIDTH_NEXT_TO_CJK.finditer(prose)]
    return problems


@pytest.mark.parametrize(
    "text, expected",
    [
        ("请输入您的邮箱地址。", []),
        ("你的申请已提交。", ["你 (use 您)"]),
        ("仅支持邮箱注册:不能使用", ["half-width '册:'"]),
        ("误判,请联系", ["half-width '判,'"]),
        ("手机号码(包括", ["half-width '码('"]),
        ("是否继续?", ["half-width '续?'"]),
        ("请登录.", ["half-width '录.'"]),
        ("此处包含不可见字符（%(character)s），", []),
        ("预计完成日期：<strong>%(date)s</strong>", []),
        ("由 `make run` 创建，用于试用门户。", []),
    ],
)
def test_style_check_finds_what_it_should(text, expected):
    assert style_problems(text) == expected


def test_chinese_translations_use_nin_and_full_width_punctuation():
    catalogue = polib.pofile(str(CATALOGUE))
    problems = {}
    for entry in catalogue:
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        found = [p for text in texts for p in style_problems(text)]
        if found:
            problems[entry.msgid] = found

    assert problems == {}


def test_chinese_written_straight_into_templates_follows_the_same_style():
    problems = {}
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(CJK, line) and (found := style_problems(line)):
                problems[f"{template.name}:{number}"] = found

    assert problems == {}


SIGNED_OUT_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
SIGNED_IN_PAGES = [
    "/user-center/",
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/reauthenticate/",
    "/kyc/certificate/",
    "/kyc/status/",
    "/notifications/",
    "/privacy/",
    "/privacy/delete/",
]


@pytest.mark.django_db
def test_customer_pages_in_chinese_follow_the_same_style(client, customer):
    """Django's, allauth's and django-countries' own Chinese included (our catalogue wins)."""
    client.post("/user-center/language/", {"language": "zh-hans"})
    responses = {url: client.get(url) for url in SIGNED_OUT_PAGES}
    weak = {"email": "someone@example", "password1": "12345", "password2": "1"}
    responses["sign-up with errors"] = client.post("/accounts/signup/", weak)
    client.force_login(customer)
    responses.update({url: client.get(url, follow=True) for url in SIGNED_IN_PAGES})
    responses["password change with errors"] = client.post(
        "/accounts/password/change/", {"oldpassword": "x", "password1": "1", "password2": "2"}
    )

    problems = {
        url: found
        for url, response in responses.items()
        if (found := style_problems(visible_text(response)))
    }

    assert all(response.status_code == 200 for response in responses.values())
    assert "密码太短" in visible_text(responses["sign-up with errors"])
    assert problems == {}
