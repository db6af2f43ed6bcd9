"""Organisations: the lists' companies and public bodies are kept, and an organisation's
application screens its legal name and country against them besides the applicant."""

import datetime

import pytest
from django.urls import reverse

from screening import matching, search, services
from screening.models import WatchlistEntity
from tests.factories import staff_user
from tests.review.factories import submitted_case, with_ocr
from verification.models import AccountType

pytestmark = pytest.mark.django_db


def organisation_case(name, country="GB", number="12345678", **fields):
    """An organisation's submitted application, its representative a clean Jane Doe."""
    verification = submitted_case(
        account_type=AccountType.ORGANIZATION,
        organization_name=name,
        organization_country=country,
        organization_registration_number=number,
        **fields,
    )
    with_ocr(verification)
    return verification


def screened_hits(verification) -> list[str]:
    screening = services.open_submission_screening(verification)
    services.run_screening(screening.pk)
    return sorted(verification.screening_hits.values_list("entity_id", flat=True))


def organisation(name, country="", number=""):
    return matching.Subject((name,), nationality=country, schema=matching.ORGANISATION,
                            registration_number=number)  # fmt: skip


def test_a_listed_organisation_applying_gets_a_hit(sample_watchlist):
    verification = organisation_case("Fictional Trading Ltd")
    assert screened_hits(verification) == ["sample-org-fictional-trading"]
    hit = verification.screening_hits.get()
    assert hit.topics == ["sanction"] and hit.score >= 0.9
    assert hit.explanation["nationality"] == "same"


def test_another_legal_form_or_an_alias_still_hits(sample_watchlist):
    assert screened_hits(organisation_case("FICTIONAL TRADING LIMITED")) == [
        "sample-org-fictional-trading"
    ]
    shipping = organisation_case("Placeholder Shipping", country="CN")
    assert screened_hits(shipping) == ["sample-org-placeholder-shipping"]


def test_the_organisation_and_its_listed_representative_both_hit(sample_watchlist):
    verification = organisation_case(
        "Testbank Sample Holdings GmbH", country="DE", number="HRB 000000 FAKE",
        surname="PETROV", given_names="IVAN", date_of_birth=datetime.date(1970, 1, 2),
        nationality="RU", sex="M",
    )  # fmt: skip
    assert screened_hits(verification) == ["sample-ivan-petrov", "sample-org-testbank"]


def test_an_organisation_of_another_country_or_name_does_not_hit(sample_watchlist):
    # The same name incorporated elsewhere scores below the threshold (LogicV1's country rule).
    assert search.screen(organisation("Fictional Trading Ltd", "fr")) == []
    assert search.screen(organisation("Fictional Shipping Ltd", "gb")) == []
    assert screened_hits(organisation_case("Jane Doe Consulting Ltd")) == []


def test_persons_and_organisations_never_find_each_other(sample_watchlist):
    # A company named after a listed person is not that person, and a person is not a company.
    assert search.screen(organisation("Ivan Petrov Ltd", "ru")) == []
    assert search.screen(organisation("Wang Jianguo", "cn")) == []
    person = matching.Subject(("Fictional Trading",), nationality="gb")
    assert search.screen(person) == []


def test_an_individual_account_screens_no_organisation(sample_watchlist):
    verification = submitted_case(organization_name="Fictional Trading Ltd")
    with_ocr(verification)
    assert [s.schema for s in services.subjects_of(verification)] == ["Person"]
    assert screened_hits(verification) == []


def test_the_case_page_shows_an_organisation_hit(client, sample_watchlist):
    verification = organisation_case("Fictional Trading Ltd")
    screened_hits(verification)
    client.force_login(staff_user("Reviewer"))
    page = client.get(reverse("review:detail", args=[verification.pk])).content.decode()
    assert "sample-org-fictional-trading" in page and "Fictional Trading Ltd" in page


def test_the_organisation_keys_are_its_names_without_the_legal_form(sample_watchlist):
    from screening.keys import query_keys

    listed = WatchlistEntity.objects.get(entity_id="sample-org-placeholder-shipping")
    assert listed.schema == "Organization"
    assert query_keys(["Placeholder Example Shipping"], True) == query_keys(
        ["Placeholder Example Shipping Limited"], True
    )
    assert not query_keys(["Placeholder Example Shipping"], True) & query_keys(
        ["Placeholder Example Shipping"]
    )


def test_a_typed_registration_number_counts_for_a_match_never_against(sample_watchlist):
    listed = "Testbank Sample Holdings GmbH"
    assert search.screen(organisation(listed, "de", "hrb-000000-fake"))[0].explanation[
        "matched"
    ] == ["name_fingerprint_levenshtein", "name_literal_match", "registration_match"]
    # Another number typed by the applicant leaves the name and country to decide.
    [match] = search.screen(organisation(listed, "de", "HRB 999999"))
    assert match.person.entity_id == "sample-org-testbank"
