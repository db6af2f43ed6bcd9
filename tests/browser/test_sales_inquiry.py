"""The sales inquiry login's journey in a real browser: sign in with two-step verification,
find the group's customers, search, filter, open one, export CSV; nothing to change anywhere."""

import re

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from audit.models import AuditEvent
from tests.browser.helpers import sign_in
from tests.factories import SalesGroupFactory, UserFactory, staff_user
from tests.sales.conftest import DATE_OF_BIRTH, DOCUMENT_NUMBER, apply_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_inquiry_login_looks_up_its_customers_and_exports_them(page, screenshot_dir, tmp_path):
    from tests.factories import enable_totp

    # An earlier transactional test may have flushed the roles made by a data migration.
    for role in roles.STAFF_ROLES:
        Group.objects.get_or_create(name=role)
    group = SalesGroupFactory(name="East sales")
    inquiry = staff_user(
        roles.SALES_INQUIRY, mfa=False, sales_group=group, email="east.inquiry@example.com"
    )
    secret = enable_totp(inquiry)
    apply_for(
        UserFactory(sales_group=group, email="zhang.wei@example.com"),
        "passed",
        given_names="WEI",
        surname="ZHANG",
        date_of_birth=DATE_OF_BIRTH,
        document_number=DOCUMENT_NUMBER,
    )
    apply_for(UserFactory(sales_group=group, email="=formula@example.com"), "supplement_requested")
    UserFactory(sales_group=group, email="not.started@example.com")
    apply_for(UserFactory(sales_group=SalesGroupFactory(), email="west.only@example.com"), "passed")

    sign_in(page, inquiry, secret)

    page.get_by_role("link", name="Customers").click()
    page.get_by_role("heading", name="Customers of East sales").wait_for()
    table = page.locator("table.customers")
    assert table.locator("tbody tr").count() == 3
    assert "west.only@example.com" not in page.content()
    assert page.locator("main form[method=post]").count() == 0
    assert page.locator("main input[type=file], main textarea").count() == 0
    page.screenshot(path=f"{screenshot_dir}/sales-list.png", full_page=True)

    page.fill("input[name=q]", "zhang")
    page.get_by_role("button", name="Search").click()
    assert table.locator("tbody tr").count() == 1
    assert "Passed" in table.inner_text()

    page.get_by_role("link", name="Clear").click()
    page.select_option("select[name=status]", "action_required")
    page.get_by_role("button", name="Search").click()
    assert table.locator("tbody tr").count() == 1
    assert "Action required" in table.inner_text()

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="zhang.wei@example.com").click()
    page.get_by_role("heading", name="zhang.wei@example.com").wait_for()
    assert "WEI ZHANG" in page.content()
    for secret_value in (DOCUMENT_NUMBER, DATE_OF_BIRTH.isoformat(), "1979"):
        assert secret_value not in page.content()
    page.screenshot(path=f"{screenshot_dir}/sales-detail.png", full_page=True)

    page.get_by_role("link", name="All customers").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export as CSV").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "'=formula@example.com" in text and "west.only" not in text

    # Even a hand-made write request from this browser is refused.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    status = page.evaluate(
        """async (token) => (await fetch('/sales/', {method: 'POST',
             headers: {'X-CSRFToken': token}})).status""",
        token,
    )
    assert status == 403

    actions = set(AuditEvent.objects.filter(actor=inquiry).values_list("action", flat=True))
    assert actions == {AuditEvent.Action.INQUIRY_LOOKUP, AuditEvent.Action.INQUIRY_EXPORT}

    # In Chinese, the labels are the customer's.
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_url(re.compile(r"/sales/"))
    assert "已通过" in page.locator("table.customers").inner_text()
    page.screenshot(path=f"{screenshot_dir}/sales-list-zh.png", full_page=True)
