"""Check-digit fields the templates, the field's own digit and the second reader decide together,
and only where the digit picks one reading of what the templates saw."""

from verification.mrz.classify import CharChoice
from verification.mrz.parse import compute_check_digit
from verification.mrz.read import BandReading, SecondReading, _finish, _judge, aligned_reading


def _td3(number: str, optional: str = "ZE184226B<<<<<") -> list[str]:
    line1 = "P<UTOERIKSSON<<ANNA<MARIA".ljust(44, "<")
    number += compute_check_digit(number)
    birth, expiry = "7408122", "3404159"
    optional += compute_check_digit(optional)
    composite = compute_check_digit(number + birth + expiry + optional)
    return [line1, f"{number}UTO{birth}F{expiry}{optional}{composite}"]


def _band(truth: list[str], ties: dict[tuple[int, int], list[tuple[str, float]]]) -> BandReading:
    """Every character a clear winner except `ties`: (character, score) best first, the first
    what the templates read there."""
    lines = []
    for line_index, text in enumerate(truth):
        line = []
        for i, char in enumerate(text):
            ranked = ties.get((line_index, i))
            if ranked is None:
                line.append(CharChoice(char, 0.95, 0.3, alternatives=[(char, 0.95), ("<", 0.6)]))
            else:
                margin = ranked[0][1] - ranked[1][1]
                line.append(CharChoice(ranked[0][0], ranked[0][1], margin, alternatives=ranked))
        lines.append(line)
    return BandReading("TD3", lines, [], {}, 0.9)


def _reading_all_of(truth: list[str]) -> SecondReading:
    return SecondReading(tuple(truth), [list(line) for line in truth])


def test_two_digit_ties_the_check_digit_tells_apart_are_settled_by_the_second_reader():
    # L898902C3: the templates read 3 for the first 8 (weight 3) and 6 for the second (weight
    # 7). Of the four readings of the two cells only the second reader's keeps the digit.
    truth = _td3("L898902C3")
    band = _band(truth, {(1, 1): [("3", 0.9), ("8", 0.88)], (1, 3): [("6", 0.9), ("8", 0.87)]})
    assert not _finish(_band(truth, {(1, 1): [("3", 0.9), ("8", 0.88)]})).valid  # no second
    reading = _judge(band, _reading_all_of(truth))
    assert reading.lines == tuple(truth)
    assert reading.fields.number == "L898902C3"
    assert reading.valid and reading.unconfirmed_positions == ()


def test_no_second_reading_is_taken_where_two_readings_of_the_templates_keep_the_digit():
    # 7 for both 8s also holds (3 * -1 + 7 * -1 = -10): the second reader would have to be
    # right twice, and two misreads of its own that cancel out would look the same.
    truth = _td3("L898902C3")
    tied = {
        (1, 1): [("3", 0.9), ("8", 0.88), ("7", 0.86)],
        (1, 3): [("6", 0.9), ("8", 0.87), ("7", 0.85)],
    }
    reading = _judge(_band(truth, tied), _reading_all_of(truth))
    assert "number" not in reading.trusted_fields
    assert {(1, 1), (1, 3)} <= set(reading.unconfirmed_positions)


def test_o_and_0_at_weights_7_and_3_stay_untrusted_whatever_the_second_reader_says():
    # 24 * 3 + 24 * 7 = 240: OO and 00 both keep the digit, so it cannot choose between them,
    # and the second reader confuses O and 0 itself.
    truth = _td3("L8980902C")
    tied = {(1, 4): [("O", 0.9), ("0", 0.88)], (1, 6): [("O", 0.9), ("0", 0.88)]}
    reading = _judge(_band(truth, tied), _reading_all_of(truth))
    assert "number" not in reading.trusted_fields
    assert {(1, 4), (1, 6)} <= set(reading.unconfirmed_positions)


def test_a_g_for_a_6_stays_untrusted_the_digit_is_blind_to_it():
    # G is 16, 6 is 6: a difference of 10 vanishes at every weight.
    truth = _td3("L898902C3", optional="ZE184226B<<<<<")
    tied = {(1, 35): [("G", 0.9), ("6", 0.88)]}
    reading = _judge(_band(truth, tied), _reading_all_of(truth))
    assert "optional_data" not in reading.trusted_fields
    assert (1, 35) in reading.unconfirmed_positions


def test_a_second_reading_the_templates_found_implausible_settles_nothing():
    truth = _td3("L898902C3")
    tied = {(1, 1): [("3", 0.9), ("8", 0.88)], (1, 3): [("6", 0.9), ("5", 0.87), ("8", 0.75)]}
    reading = _judge(_band(truth, tied), _reading_all_of(truth))
    assert "number" not in reading.trusted_fields
    assert reading.fields.number == "L396902C3"  # the templates' reading, not the second's


def test_a_second_reading_with_0_for_every_o_is_still_a_reading_of_the_line():
    ours = "NOOOOOOOU1KAZ8001014F3411045"
    theirs = "N000000001KAZ8001014F3411045"  # the recogniser's 0s, one cell it dropped
    second = aligned_reading([ours], [[(0, len(ours))]], [theirs.replace("F", "")])
    assert second.char_at(0, 1) == "0" and second.char_at(0, 8) == "0"
    assert second.char_at(0, 21) == "3"  # aligned past the dropped F, not shifted onto it
    assert second.char_at(0, 20) is None
    assert not second.contradicts(0, 1, "O")  # its 0 for our O is the look-alike it confuses


def test_a_second_reading_of_something_else_is_ignored():
    ours = "NOOOOOOOU1KAZ8001014F3411045"
    second = aligned_reading([ours], [[(0, len(ours))]], ["P<KAZSURNAME<<FIRSTNAME<<<<<"])
    assert all(second.char_at(0, i) is None for i in range(len(ours)))
