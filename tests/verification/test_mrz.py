import datetime

import pytest

from verification.mrz import (
    HINT_DAY_MONTH_SWAPPED,
    HINT_TRANSLITERATION,
    compare_typed,
    compute_check_digit,
    is_check_digit_valid,
    is_country_code,
    mrz_name_field,
    normalize_name,
    parse_mrz,
    resolve_birth_date,
    resolve_expiry_date,
    transliteration_variants,
)

TODAY = datetime.date(2025, 6, 1)

# ICAO 9303 part 4/5/6 specimens (Utopia replaced by a real code where it matters).
TD3_SPECIMEN = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD2_SPECIMEN = [
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
]
TD1_SPECIMEN = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]


def _typed(**overrides):
    typed = {
        "surname": "Eriksson",
        "given_names": "Anna Maria",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "date_of_birth": "1974-08-12",
        "sex": "F",
        "expiry_date": "2012-04-15",
    }
    typed.update(overrides)
    return typed


def test_check_digit_uses_weights_7_3_1_and_letter_values():
    assert compute_check_digit("L898902C3") == "6"
    assert compute_check_digit("740812") == "2"
    assert compute_check_digit("120415") == "9"
    assert compute_check_digit("<<<<") == "0"


def test_empty_optional_field_may_carry_a_filler_check_digit():
    assert is_check_digit_valid("<<<<<<<<<<<<<<", "<")
    assert is_check_digit_valid("<<<<<<<<<<<<<<", "0")
    assert not is_check_digit_valid("ZE184226B<<<<<", "<")


def test_check_digit_rejects_characters_outside_the_mrz_alphabet():
    assert not is_check_digit_valid("L89890?C3", "6")


def test_td3_passport_is_parsed_into_fields():
    fields = parse_mrz(TD3_SPECIMEN, today=TODAY)
    assert fields.mrz_type == "TD3"
    assert fields.document_type == "P"
    assert fields.country == "UTO"
    assert fields.number == "L898902C3"
    assert fields.date_of_birth == datetime.date(1974, 8, 12)
    assert fields.expiration_date == datetime.date(2012, 4, 15)
    assert fields.sex == "F"
    assert fields.surname == "ERIKSSON"
    assert fields.names == "ANNA MARIA"
    assert fields.optional_data == "ZE184226B"
    assert fields.valid
    assert all(fields.check_digits.values())


def test_td2_is_parsed_into_fields():
    fields = parse_mrz(TD2_SPECIMEN, today=TODAY)
    assert fields.mrz_type == "TD2"
    assert fields.number == "D23145890"
    assert fields.nationality == "UTO"
    assert fields.valid


def test_td1_identity_card_is_parsed_into_fields():
    fields = parse_mrz(TD1_SPECIMEN, today=TODAY)
    assert fields.mrz_type == "TD1"
    assert fields.document_type == "I"
    assert fields.number == "D23145890"
    assert fields.surname == "ERIKSSON"
    assert fields.names == "ANNA MARIA"
    assert fields.valid


def test_parse_accepts_free_text_with_blank_lines():
    fields = parse_mrz("\n" + "\n".join(TD3_SPECIMEN) + "\n\n", today=TODAY)
    assert fields.mrz_type == "TD3"


def test_a_wrong_check_digit_is_reported_per_field():
    broken = [TD3_SPECIMEN[0], TD3_SPECIMEN[1][:19] + "3" + TD3_SPECIMEN[1][20:]]
    fields = parse_mrz(broken, today=TODAY)
    assert fields.check_digits["date_of_birth"] is False
    assert fields.check_digits["number"] is True
    assert not fields.valid


def test_wrong_shape_or_alphabet_raises_value_error():
    with pytest.raises(ValueError):
        parse_mrz(["P<UTO", "123"])
    with pytest.raises(ValueError):
        parse_mrz([TD3_SPECIMEN[0], TD3_SPECIMEN[1][:-1] + "?"])


def test_filler_sex_means_unspecified_x():
    line2 = TD1_SPECIMEN[1][:7] + "<" + TD1_SPECIMEN[1][8:]
    assert parse_mrz([TD1_SPECIMEN[0], line2, TD1_SPECIMEN[2]], today=TODAY).sex == "X"


def test_long_td1_document_number_continues_in_optional_data():
    number = "D23145890123"
    line1 = f"I<UTO{number[:9]}<{number[9:]}{compute_check_digit(number)}".ljust(30, "<")
    fields = parse_mrz([line1, TD1_SPECIMEN[1], TD1_SPECIMEN[2]], today=TODAY)
    assert fields.number == number
    assert fields.check_digits["number"]


def test_birth_year_resolves_to_the_past():
    assert resolve_birth_date("740812", TODAY) == datetime.date(1974, 8, 12)
    assert resolve_birth_date("050101", TODAY) == datetime.date(2005, 1, 1)
    # Later this year would be in the future: it must be the previous century.
    assert resolve_birth_date("251224", TODAY) == datetime.date(1925, 12, 24)


def test_expiry_year_may_lie_up_to_twenty_years_ahead():
    assert resolve_expiry_date("350101", TODAY) == datetime.date(2035, 1, 1)
    assert resolve_expiry_date("450101", TODAY) == datetime.date(2045, 1, 1)
    assert resolve_expiry_date("990101", TODAY) == datetime.date(1999, 1, 1)


def test_impossible_dates_resolve_to_none():
    assert resolve_birth_date("741312", TODAY) is None
    assert resolve_expiry_date("12AB15", TODAY) is None


def test_country_codes_include_icao_specials():
    for code in ("DEU", "D", "GBD", "UNO", "XXA", "XXX", "EUE", "D<<"):
        assert is_country_code(code)
    assert not is_country_code("KKK")


def test_umlauts_are_expanded_and_sharp_s_doubled():
    assert normalize_name("Müller") == "MUELLER"
    assert normalize_name("Schröder") == "SCHROEDER"
    assert normalize_name("Groß") == "GROSS"
    assert normalize_name("Ærø Åsa Øst") == "AEROE<AASA<OEST"


def test_accents_and_tilde_are_dropped():
    assert normalize_name("Núñez") == "NUNEZ"
    assert normalize_name("Élodie François") == "ELODIE<FRANCOIS"


def test_single_vowel_umlaut_spelling_is_an_accepted_variant():
    assert "MULLER" in transliteration_variants("Müller")
    assert "MUELLER" in transliteration_variants("Müller")


def test_spaces_and_hyphens_become_fillers_and_apostrophes_are_dropped():
    assert normalize_name("Smith-Jones") == "SMITH<JONES"
    assert normalize_name("van der Berg") == "VAN<DER<BERG"
    assert normalize_name("O'Connor") == "OCONNOR"
    assert "O<CONNOR" in transliteration_variants("O'Connor")


def test_long_names_are_truncated_at_the_field_length():
    name_field = mrz_name_field("Fernández de Córdoba y Aguilar", "Ana Sofía María José", 39)
    assert len(name_field) == 39
    assert name_field.startswith("FERNANDEZ<DE<CORDOBA<Y<AGUILAR<<ANA")


def test_typed_data_matching_the_mrz_gives_no_differences():
    assert compare_typed(_typed(), parse_mrz(TD3_SPECIMEN, today=TODAY)) == []


def test_typed_umlaut_matches_either_mrz_transliteration():
    for mrz_surname in ("MUELLER", "MULLER"):
        line1 = f"P<UTO{mrz_surname}<<ANNA<MARIA".ljust(44, "<")
        fields = parse_mrz([line1, TD3_SPECIMEN[1]], today=TODAY)
        assert compare_typed(_typed(surname="Müller"), fields) == []


def test_swapped_name_order_is_tolerated():
    fields = parse_mrz(TD3_SPECIMEN, today=TODAY)
    assert compare_typed(_typed(surname="Anna Maria", given_names="Eriksson"), fields) == []


def test_name_truncated_in_the_mrz_still_matches_the_full_typed_name():
    surname, given = "Fernández de Córdoba y Aguilar", "Ana Sofía María José"
    line1 = ("P<ESP" + mrz_name_field(surname, given, 39)).ljust(44, "<")
    fields = parse_mrz([line1, TD3_SPECIMEN[1]], today=TODAY)
    assert compare_typed(_typed(surname=surname, given_names=given), fields) == []


def test_mrz_with_umlaut_expansion_vs_typed_plain_vowel_gets_transliteration_hint():
    line1 = "P<UTOMUELLER<<ANNA<MARIA".ljust(44, "<")
    fields = parse_mrz([line1, TD3_SPECIMEN[1]], today=TODAY)
    differences = compare_typed(_typed(surname="Muller"), fields)
    assert len(differences) == 1
    assert differences[0].field == "surname"
    assert differences[0].typed == "Muller"
    assert differences[0].document == "MUELLER"
    assert differences[0].hint == HINT_TRANSLITERATION


def test_a_really_different_name_is_reported_without_hint():
    differences = compare_typed(_typed(surname="Svensson"), parse_mrz(TD3_SPECIMEN, today=TODAY))
    assert [(d.field, d.hint) for d in differences] == [("surname", None)]


def test_day_and_month_swapped_get_a_hint():
    differences = compare_typed(
        _typed(date_of_birth="1974-12-08"), parse_mrz(TD3_SPECIMEN, today=TODAY)
    )
    assert [(d.field, d.document, d.hint) for d in differences] == [
        ("date_of_birth", "1974-08-12", HINT_DAY_MONTH_SWAPPED)
    ]


def test_other_field_differences_are_listed_with_both_values():
    typed = _typed(document_number="L898902C4", sex="M", expiry_date=datetime.date(2013, 4, 15))
    differences = compare_typed(typed, parse_mrz(TD3_SPECIMEN, today=TODAY))
    assert {d.field: (d.typed, d.document) for d in differences} == {
        "document_number": ("L898902C4", "L898902C3"),
        "sex": ("M", "F"),
        "expiry_date": ("2013-04-15", "2012-04-15"),
    }


def test_germany_typed_as_deu_matches_mrz_d():
    line1 = "P<D<<ERIKSSON<<ANNA<MARIA".ljust(44, "<")
    line2 = TD3_SPECIMEN[1][:10] + "D<<" + TD3_SPECIMEN[1][13:]
    fields = parse_mrz([line1, line2], today=TODAY)
    assert fields.nationality == "D"
    assert compare_typed(_typed(nationality="DEU"), fields) == []


def test_compare_typed_accepts_a_to_dict_style_mapping():
    document = {
        "surname": "ERIKSSON",
        "names": "ANNA MARIA",
        "number": "L898902C3",
        "nationality": "UTO",
        "date_of_birth": "1974-08-12",
        "sex": "F",
        "expiration_date": "2012-04-15",
    }
    assert compare_typed(_typed(), document) == []


def test_the_mrz_library_is_one_package_without_django():
    from pathlib import Path

    import verification.mrz

    package = Path(verification.mrz.__file__).parent
    sources = {path.name: path.read_text() for path in package.glob("*.py")}
    assert {"parse.py", "read.py", "compare.py"} <= set(sources)
    assert [
        name for name, text in sources.items() if "import django" in text or "from django" in text
    ] == []
