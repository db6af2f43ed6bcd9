"""Per-field trust: which fields of an MRZ reading may be compared with what the customer typed."""

import datetime

from verification.mrz import compare_typed
from verification.mrz.classify import CharChoice, settled_by_country_codes
from verification.mrz.parse import TRUSTABLE_FIELDS, field_trust, parse_mrz
from verification.mrz.read import BandReading, SecondReading, _finish

TODAY = datetime.date(2026, 1, 1)
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F3404159ZE184226B<<<<<16",
]
TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F3404159UTO<<<<<<<<<<<2",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F3404159<<<<<<<2"]
MRV_A = [
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F36121076ZE184226B<<<<<<",
]
MRV_B = ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F3612107<<<<<<<<"]


def untrusted(lines, unsure=()) -> list[str]:
    trust = field_trust(parse_mrz(lines, today=TODAY), set(unsure))
    return [name for name, ok in trust.items() if not ok]


def test_every_layout_with_holding_digits_and_sure_characters_is_fully_trusted():
    for lines in (TD3, TD1, TD2, MRV_A, MRV_B):
        assert parse_mrz(lines, today=TODAY).valid
        assert untrusted(lines) == [], lines[0][:2]
    assert parse_mrz(MRV_A).mrz_type == "MRV-A" and parse_mrz(MRV_B).mrz_type == "MRV-B"


def test_one_failing_check_digit_makes_only_its_own_field_untrusted():
    wrong_birth_digit = TD3[1][:19] + "3" + TD3[1][20:]
    assert untrusted([TD3[0], wrong_birth_digit]) == ["date_of_birth"]
    wrong_number_digit = TD3[1][:9] + "7" + TD3[1][10:]
    assert untrusted([TD3[0], wrong_number_digit]) == ["number"]
    wrong_expiry_digit = MRV_B[1][:27] + "0" + MRV_B[1][28:]
    assert untrusted([MRV_B[0], wrong_expiry_digit]) == ["expiration_date"]


def test_a_failing_composite_takes_the_trust_of_what_only_it_covers():
    wrong_composite = TD1[1][:29] + "5"
    assert untrusted([TD1[0], wrong_composite, TD1[2]]) == ["optional_data", "optional_data_2"]


def test_an_unsure_name_character_makes_only_the_name_untrusted():
    # Given names begin after the surname's `<<`: an unsure surname costs them their trust
    # too (a garbled `<<` read as letters moves where they begin), but not the other way.
    assert untrusted(TD3, unsure=[(0, 6)]) == ["surname", "names"]  # the R of ERIKSSON
    assert untrusted(TD3, unsure=[(0, 18)]) == ["names"]  # the last A of ANNA
    assert untrusted(TD1, unsure=[(2, 0)]) == ["surname", "names"]
    # An unsure character in a field with a holding digit costs that field its trust too.
    assert untrusted(TD3, unsure=[(1, 3)]) == ["number"]


def test_an_unsure_code_in_front_of_the_name_makes_the_name_untrusted_too():
    # An extra cell read in front of line 1 shifts the name by one: its start is only as
    # certain as the document code and issuing state before it.
    assert untrusted(TD3, unsure=[(0, 1)]) == ["document_type", "surname", "names"]
    assert untrusted(TD2, unsure=[(0, 3)]) == ["country", "surname", "names"]
    # A TD1 card's name has its own line.
    assert untrusted(TD1, unsure=[(0, 3)]) == ["country"]


def test_an_unsure_composite_digit_takes_the_trust_of_what_only_it_covers():
    # A composite digit a repair chose (or read unsure) holds by construction, not evidence.
    assert untrusted(TD3, unsure=[(1, 43)]) == []  # TD3: every field has its own digit
    assert untrusted(TD2, unsure=[(1, 35)]) == ["optional_data"]
    assert untrusted(TD1, unsure=[(1, 29)]) == ["optional_data", "optional_data_2"]


def test_codes_must_exist_and_sex_must_be_m_f_or_x():
    made_up = ["P<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3[1]]
    assert untrusted(made_up) == ["country"]
    sex_x = TD3[1][:20] + "X" + TD3[1][21:]  # the composite does not cover the sex
    assert parse_mrz([TD3[0], sex_x], today=TODAY).sex == "X"
    assert untrusted([TD3[0], sex_x]) == []


def _band(lines, ties: dict[tuple[int, int], tuple[str, float]]) -> BandReading:
    """A reading with clear characters except near ties at some positions."""
    choices = []
    for line_index, text in enumerate(lines):
        line = []
        for i, char in enumerate(text):
            if (line_index, i) in ties:
                other, gap = ties[(line_index, i)]
                alternatives = [(char, 0.9), (other, 0.9 - gap)]
                line.append(CharChoice(char, 0.9, gap, alternatives=alternatives))
            else:
                line.append(CharChoice(char, 0.95, 0.3, alternatives=[(char, 0.95), ("<", 0.6)]))
        choices.append(line)
    return BandReading("TD3", choices, [], {}, 0.95)


def test_a_near_tie_in_a_name_makes_the_name_untrusted_and_nothing_else():
    reading = _finish(_band(TD3, {(0, 6): ("M", 0.02)}))  # R of ERIKSSON, nearly an M
    assert not reading.valid
    assert [f for f in TRUSTABLE_FIELDS if f not in reading.trusted_fields] == [
        "surname",
        "names",
        "optional_data_2",  # a card's field: a passport reading never lists it
    ]
    assert reading.unconfirmed_positions == ((0, 6),)
    assert reading.to_dict()["trusted_fields"] == list(reading.trusted_fields)


def test_a_near_tie_the_check_digit_settles_leaves_the_number_trusted():
    # 0 or O in the document number: only 0 keeps the number's check digit holding.
    reading = _finish(_band(TD3, {(1, 5): ("O", 0.02)}))
    assert reading.valid and reading.unconfirmed_positions == ()


def test_a_near_tie_in_a_country_code_that_only_one_real_code_fits_is_settled():
    # UTO's O nearly a D: UTD is no code. The issuing state in front of the names counts too.
    reading = _finish(_band(TD3, {(1, 12): ("D", 0.02), (0, 4): ("Q", 0.03)}))
    assert reading.valid and reading.unconfirmed_positions == ()


def test_a_near_tie_in_a_country_code_that_another_real_code_fits_stays_unsure():
    austrian = [TD3[0], TD3[1][:10] + "AUT" + TD3[1][13:]]
    reading = _finish(_band(austrian, {(1, 12): ("S", 0.02)}))  # AUS is a code too
    assert "nationality" not in reading.trusted_fields
    assert reading.unconfirmed_positions == ((1, 12),)


def test_a_country_code_with_two_unsure_characters_is_not_settled_by_the_list():
    reading = _finish(_band(TD3, {(1, 11): ("I", 0.02), (1, 12): ("D", 0.02)}))
    assert "nationality" not in reading.trusted_fields


def test_a_country_code_character_another_reading_contradicts_is_not_settled():
    second = [list(TD3[0]), list(TD3[1])]
    second[1][12] = "A"  # UTA: the other reader saw neither an O nor a D there
    band = _band(TD3, {(1, 12): ("D", 0.02)})
    settled = settled_by_country_codes(
        "TD3", band.lines, disputed={(1, 12)}, ruled_out=SecondReading((), second).rules_out
    )
    assert (1, 12) not in settled
    assert (1, 12) in settled_by_country_codes("TD3", band.lines)


def test_a_second_reading_that_agrees_confirms_a_near_tie_in_a_name():
    agreeing = SecondReading(tuple(TD3), [list(TD3[0]), list(TD3[1])])
    assert agreeing.confirms(0, 6, "R", "ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
    assert not agreeing.confirms(0, 6, "M", "ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
    assert agreeing.contradicts(0, 6, "M") and not agreeing.contradicts(0, 6, "R")
    # Agreement on a 0 where a letter O is also allowed proves nothing by itself.
    assert not SecondReading(("",), [["0"]]).confirms(0, 0, "0", "0O")
    assert SecondReading(("",), [["0"]]).confirms(0, 0, "0", "0O", checked=True)
    # Its 1 where only letters may stand is an I; its 0 is not taken for an O.
    assert SecondReading(("",), [["1"]]).confirms(0, 0, "I", "IL")
    assert not SecondReading(("",), [["0"]]).confirms(0, 0, "O", "OD")


def test_an_unsure_name_never_accuses_the_customer_but_a_trusted_number_does():
    fields = parse_mrz(TD3, today=TODAY)
    typed = {
        "surname": "Eriksson",
        "given_names": "Anna Maria",
        "sex": "F",
        "date_of_birth": datetime.date(1974, 8, 12),
        "document_number": "L898902C3",
        "nationality": "UTO",
        "expiry_date": datetime.date(2034, 4, 15),
    }
    assert compare_typed(typed, fields) == []
    misspelt = dict(typed, surname="Eriksen")
    everything_but_surname = [name for name in TRUSTABLE_FIELDS if name != "surname"]
    assert [d.field for d in compare_typed(misspelt, fields)] == ["surname"]
    assert compare_typed(misspelt, fields, everything_but_surname) == []
    mistyped_number = dict(typed, document_number="L898902C4")
    differences = compare_typed(mistyped_number, fields, everything_but_surname)
    assert [(d.field, d.typed, d.document) for d in differences] == [
        ("document_number", "L898902C4", "L898902C3")
    ]
    # One trusted name part alone is still compared, in either box.
    only_given = ["names", "number"]
    assert (
        compare_typed(dict(typed, surname="Anna Maria", given_names="x"), fields, only_given) == []
    )
    assert [
        d.field for d in compare_typed(dict(typed, given_names="Anne"), fields, only_given)
    ] == ["given_names"]
