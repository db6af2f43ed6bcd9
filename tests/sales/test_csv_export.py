import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from sales.csv_export import neutralise
from tests.factories import UserFactory

from .conftest import apply_for

EXPORT = reverse("sales:export_csv")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("jane@example.com", "jane@example.com"),
        ("ANNA=LI", "ANNA=LI"),
        (None, ""),
    ],
)
def test_cells_that_would_run_as_formulas_get_an_apostrophe(cell, expected):
    assert neutralise(cell) == expected


def read_export(response):
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads Chinese names right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_export_lists_the_groups_customers_with_formulas_neutralised(
    inquiry_client, sales_group, other_group_customer
):
    evil = UserFactory(sales_group=sales_group, email="evil@example.com")
    apply_for(evil, "passed", given_names="=CMD|'/C calc'!A0", surname="李")
    apply_for(other_group_customer, "passed")

    response = inquiry_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    header, *rows = read_export(response)
    assert header[:4] == ["Email", "Name", "Account type", "KYC status"]
    assert rows == [
        [
            "evil@example.com",
            "'=CMD|'/C calc'!A0 李",
            "Individual",
            "Passed",
            "",
            rows[0][5],
            "",
            rows[0][7],
        ]
    ]
    assert other_group_customer.email not in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_export_follows_the_search_and_filter(inquiry_client, sales_group):
    apply_for(UserFactory(sales_group=sales_group, email="a.one@example.com"), "passed")
    apply_for(UserFactory(sales_group=sales_group, email="a.two@example.com"), "rejected")
    apply_for(UserFactory(sales_group=sales_group, email="b@example.com"), "passed")

    response = inquiry_client.get(EXPORT, {"q": "a.", "status": "passed"})

    _header, *rows = read_export(response)
    assert [row[0] for row in rows] == ["a.one@example.com"]


@pytest.mark.django_db
def test_export_is_recorded_with_the_exported_ids(inquiry_client, inquiry, group_customer):
    inquiry_client.get(EXPORT)

    event = AuditEvent.objects.get(action=AuditEvent.Action.INQUIRY_EXPORT)
    assert event.actor == inquiry
    assert event.detail["customer_ids"] == [group_customer.pk]
    assert group_customer.email not in str(event.detail)


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_customers(
    inquiry_client, sales_group, django_assert_max_num_queries
):
    for n in range(80):
        customer = UserFactory(sales_group=sales_group)
        if n % 2:
            apply_for(customer, "provided")

    with django_assert_max_num_queries(10):
        response = inquiry_client.get(EXPORT)
    assert len(read_export(response)) == 81


@pytest.mark.django_db
def test_export_in_chinese_uses_chinese_headers_and_labels(inquiry_client, group_customer):
    apply_for(group_customer, "passed")
    inquiry_client.cookies["django_language"] = "zh-hans"

    header, row = read_export(inquiry_client.get(EXPORT))

    assert header[0] == "邮箱" or header[0] == "电子邮箱"
    assert row[3] == "已通过"
