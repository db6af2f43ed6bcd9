"""The inbox at /notifications/ and the unread count beside "My Account"."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.factories import VerificationFactory

from .conftest import claim, decide, submit

pytestmark = pytest.mark.django_db


def test_inbox_lists_only_my_messages_newest_first(
    application, reviewer, outsider, customer_client
):
    submit(application)
    claim(application, reviewer)
    decide(
        application,
        reviewer,
        "supplement",
        requested_items=["field:surname"],
        customer_message="Check the surname.",
    )
    submit(VerificationFactory(user=outsider))

    response = customer_client.get(reverse("notifications:inbox"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Supplement requested") < page.index("Application received")
    mine = Notification.objects.filter(user=application.user)
    theirs = Notification.objects.get(user=outsider)
    for notification in mine:
        assert reverse("notifications:detail", args=[notification.pk]) in page
    assert reverse("notifications:detail", args=[theirs.pk]) not in page


def test_unread_count_shows_beside_my_account_and_drops_when_read(
    application, reviewer, customer_client
):
    submit(application)
    claim(application, reviewer)
    decide(
        application,
        reviewer,
        "supplement",
        requested_items=["document:passport_page"],
        customer_message="The page is cut off.",
    )
    supplement = Notification.objects.get(kind="supplement_requested")

    home = customer_client.get(reverse("accounts:user_center")).content.decode()
    assert '<span class="pill" title="Unread messages">2</span>' in home

    response = customer_client.get(reverse("notifications:detail", args=[supplement.pk]))

    page = response.content.decode()
    assert "Re-upload: Passport data page" in page
    assert 'href="/kyc/documents/#slot-passport_page"' in page
    assert "The page is cut off." in page
    supplement.refresh_from_db()
    assert supplement.read_at is not None
    assert '<span class="pill" title="Unread messages">1</span>' in page


def test_mark_all_read(application, customer, customer_client):
    submit(application)

    response = customer_client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(user=customer, read_at__isnull=True).exists()
    assert 'title="Unread messages"' not in customer_client.get(response.url).content.decode()


def test_someone_elses_message_is_not_found_and_stays_unread(application, outsider, client):
    submit(application)
    notification = Notification.objects.get()
    client.force_login(outsider)

    response = client.get(reverse("notifications:detail", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_staff_cannot_read_a_customers_message(application, reviewer, client):
    submit(application)
    notification = Notification.objects.get()
    client.force_login(reviewer)

    assert client.get(reverse("notifications:detail", args=[notification.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for url in (reverse("notifications:inbox"), reverse("notifications:detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_inbox_query_count_does_not_grow_with_messages(
    customer, customer_client, django_assert_max_num_queries
):
    for _ in range(3):
        submit(VerificationFactory(user=customer))
        Notification.objects.filter(user=customer).update(read_at=None)
        customer.verifications.update(status="rejected")
    with django_assert_max_num_queries(12) as few:
        customer_client.get(reverse("notifications:inbox"))
    for _ in range(40):
        submit(VerificationFactory(user=customer))
        customer.verifications.update(status="rejected")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = customer_client.get(reverse("notifications:inbox"))
    assert response.content.decode().count('class="inbox-item unread"') == 20  # one page


def test_inbox_in_chinese(application, customer_client):
    submit(application)
    customer_client.cookies["django_language"] = "zh-hans"

    page = customer_client.get(reverse("notifications:inbox")).content.decode()

    assert "消息" in page and "已收到申请" in page
