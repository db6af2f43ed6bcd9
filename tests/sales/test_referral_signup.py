import pytest
from django.urls import reverse

from accounts.models import User
from sales import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")


def sign_up(client, email, url=SIGNUP, **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(url, data)


def test_signup_through_a_referral_link_joins_the_group(client, sales_group):
    response = sign_up(
        client,
        "ref.link@example.com",
        f"{SIGNUP}?ref={sales_group.referral_code}",
        referral_code=sales_group.referral_code,
    )

    assert response.status_code == 302
    assert User.objects.get(email="ref.link@example.com").sales_group == sales_group


def test_a_referral_link_is_remembered_for_the_rest_of_the_visit(client, sales_group):
    client.get("/?ref=ignored-here")  # only the sign-up page reads ?ref=
    client.get(f"{SIGNUP}?ref={sales_group.referral_code.lower()}")
    client.get("/")

    form = client.get(SIGNUP).context["form"]

    assert form["referral_code"].value() == sales_group.referral_code
    assert client.session[services.REFERRAL_SESSION_KEY] == sales_group.referral_code


def test_signup_with_a_typed_code_ignores_case_and_spaces(client, sales_group):
    typed = " " + " ".join(sales_group.referral_code.lower()) + " "

    response = sign_up(client, "typed.code@example.com", referral_code=typed)

    assert response.status_code == 302
    assert User.objects.get(email="typed.code@example.com").sales_group == sales_group


def test_signup_without_a_code_joins_no_group(client, sales_group):
    response = sign_up(client, "no.code@example.com")

    assert response.status_code == 302
    assert User.objects.get(email="no.code@example.com").sales_group is None


def test_an_unknown_code_is_refused_with_a_clear_message_and_creates_nothing(client, sales_group):
    response = sign_up(client, "wrong.code@example.com", referral_code="NOPE1234")

    assert response.status_code == 200
    assert "This referral code is not known" in response.content.decode()
    assert not User.objects.filter(email="wrong.code@example.com").exists()


def test_an_unknown_code_in_a_link_is_shown_so_the_person_can_fix_it(client, sales_group):
    page = client.get(f"{SIGNUP}?ref=BADCODE").content.decode()

    assert 'value="BADCODE"' in page
    response = sign_up(client, "bad.link@example.com", referral_code="BADCODE")
    assert "This referral code is not known" in response.content.decode()
    response = sign_up(client, "bad.link@example.com", referral_code="")
    assert response.status_code == 302
    assert User.objects.get(email="bad.link@example.com").sales_group is None


def test_the_signup_page_offers_an_optional_referral_code_field(client):
    page = client.get(SIGNUP).content.decode()

    assert "Referral code" in page
    assert 'name="referral_code"' in page
