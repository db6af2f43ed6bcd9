"""What the customer typed against what the MRZ says, after ICAO normalisation."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .parse import (
    COUNTRY_ALIASES,
    FILLER,
    NAME_FIELD_LENGTH,
    TRUSTABLE_FIELDS,
    MrzFields,
    absent_fields,
    fillers_to_spaces,
    normalize_name,
    transliteration_variants,
)

# --- comparison with typed data ---------------------------------------------


@dataclass(frozen=True)
class FieldDifference:
    """One field where typed data and document disagree; `hint` names a likely benign cause."""

    field: str
    typed: str
    document: str
    hint: str | None = None


HINT_TRANSLITERATION = "transliteration"
HINT_SEPARATOR = "separator"
HINT_DAY_MONTH_SWAPPED = "day_month_swapped"
HINT_LETTER_DIGIT_CONFUSION = "letter_digit_confusion"


def compare_typed(typed: dict, mrz_fields: MrzFields | dict, trusted=None) -> list[FieldDifference]:
    """Fields where typed data and the MRZ differ after ICAO normalisation; [] = agreement.

    `trusted` (MRZ field names, see parse.field_trust) limits the comparison to fields the
    reading can vouch for: a field the reader was unsure of never disagrees with the customer.
    None compares every field. A field the layout lacks (a French 1994 card's expiry) is
    never compared: the MRZ says nothing about it.
    """
    document = _document_view(mrz_fields)
    trusted = set(TRUSTABLE_FIELDS if trusted is None else trusted)
    trusted -= absent_fields(document.get("mrz_type") or "")
    if {"surname", "names"} <= trusted:
        differences = _compare_names(typed, document)
    else:
        differences = []
        for key, typed_key, other_key in (
            ("surname", "surname", "given_names"),
            ("names", "given_names", "surname"),
        ):
            if key in trusted:
                differences += _compare_name_part(typed, document, key, typed_key, other_key)
    differences += _compare_simple_fields(typed, document, trusted)
    return differences


def _compare_name_part(typed: dict, document: dict, key: str, typed_key: str, other_key: str):
    """One trusted name part alone (the other one unsure); typed in either box is fine."""
    doc_value = normalize_name(document.get(key) or "")
    typed_value = typed.get(typed_key) or ""
    for candidate in (typed_value, typed.get(other_key) or ""):
        if _name_part_matches(candidate, doc_value, ""):
            return []
    hint = _name_hint(typed_value, doc_value)
    return [FieldDifference(typed_key, typed_value, fillers_to_spaces(doc_value), hint)]


def _document_view(mrz_fields: MrzFields | dict) -> dict:
    if isinstance(mrz_fields, MrzFields):
        return {
            "mrz_type": mrz_fields.mrz_type,
            "surname": mrz_fields.surname,
            "names": mrz_fields.names,
            "number": mrz_fields.number,
            "nationality": mrz_fields.nationality,
            "date_of_birth": mrz_fields.date_of_birth,
            "sex": mrz_fields.sex,
            "expiration_date": mrz_fields.expiration_date,
        }
    return dict(mrz_fields)


def _compare_names(typed: dict, document: dict) -> list[FieldDifference]:
    doc_surname = normalize_name(document.get("surname") or "")
    doc_given = normalize_name(document.get("names") or "")
    typed_surname = typed.get("surname") or ""
    typed_given = typed.get("given_names") or ""
    field_length = NAME_FIELD_LENGTH.get(document.get("mrz_type") or "")
    doc_field = doc_surname + (FILLER * 2 + doc_given if doc_given else "")

    for first, second in ((typed_surname, typed_given), (typed_given, typed_surname)):
        if _name_field_matches(first, second, doc_field, field_length):
            return []

    differences = []
    for name, typed_value, doc_value, other in (
        ("surname", typed_surname, doc_surname, doc_given),
        ("given_names", typed_given, doc_given, doc_surname),
    ):
        if not _name_part_matches(typed_value, doc_value, other):
            differences.append(
                FieldDifference(
                    name,
                    typed_value,
                    fillers_to_spaces(doc_value),
                    _name_hint(typed_value, doc_value),
                )
            )
    return differences


def _name_field_matches(surname: str, given: str, doc_field: str, field_length: int | None) -> bool:
    for surname_form in transliteration_variants(surname):
        for given_form in transliteration_variants(given):
            candidate = surname_form + (FILLER * 2 + given_form if given_form else "")
            if candidate == doc_field:
                return True
            if _is_truncation_of(doc_field, candidate, field_length):
                return True
    return False


def _is_truncation_of(doc_field: str, full: str, field_length: int | None) -> bool:
    """The document shows `full` cut at the MRZ name-field length."""
    if not doc_field or len(full) <= len(doc_field):
        return False
    if field_length is not None:
        return len(full) > field_length and full[:field_length].rstrip(FILLER) == doc_field
    # Without the MRZ type, accept a cut at any length the formats use.
    return any(
        len(full) > length and full[:length].rstrip(FILLER) == doc_field
        for length in NAME_FIELD_LENGTH.values()
    )


def _name_part_matches(typed_value: str, doc_value: str, doc_other: str) -> bool:
    variants = transliteration_variants(typed_value)
    if doc_value in variants or doc_other and doc_other in variants:
        return True
    # A document part cut short by truncation.
    return bool(doc_value) and any(
        v.startswith(doc_value) and len(v) > len(doc_value) for v in variants
    )


def _loose_name_key(mrz_name: str) -> str:
    """Spelling key that ignores umlaut expansion and separators."""
    key = mrz_name.replace(FILLER, "")
    for expanded, plain in (("AE", "A"), ("OE", "O"), ("UE", "U"), ("AA", "A"), ("SS", "S")):
        key = key.replace(expanded, plain)
    return key


def _name_hint(typed_value: str, doc_value: str) -> str | None:
    variants = transliteration_variants(typed_value)
    if any(v.replace(FILLER, "") == doc_value.replace(FILLER, "") for v in variants):
        return HINT_SEPARATOR
    if any(_loose_name_key(v) == _loose_name_key(doc_value) for v in variants):
        return HINT_TRANSLITERATION
    return None


def _compare_simple_fields(typed: dict, document: dict, trusted: set) -> list[FieldDifference]:
    differences = []
    typed_number = _alnum_upper(typed.get("document_number"))
    doc_number = _alnum_upper(document.get("number"))
    if "number" in trusted and typed_number != doc_number:
        hint = (
            HINT_LETTER_DIGIT_CONFUSION
            if _confusable_key(typed_number) == _confusable_key(doc_number)
            else None
        )
        differences.append(FieldDifference("document_number", typed_number, doc_number, hint))

    typed_nat = _alnum_upper(typed.get("nationality"))
    doc_nat = _alnum_upper(document.get("nationality"))
    if "nationality" in trusted and COUNTRY_ALIASES.get(typed_nat, typed_nat) != (
        COUNTRY_ALIASES.get(doc_nat, doc_nat)
    ):
        differences.append(FieldDifference("nationality", typed_nat, doc_nat))

    typed_sex = _normalize_sex(typed.get("sex"))
    doc_sex = _normalize_sex(document.get("sex"))
    if "sex" in trusted and typed_sex != doc_sex:
        differences.append(FieldDifference("sex", typed_sex, doc_sex))

    for typed_key, doc_key in (
        ("date_of_birth", "date_of_birth"),
        ("expiry_date", "expiration_date"),
    ):
        if doc_key not in trusted:
            continue
        typed_date = _as_date(typed.get(typed_key))
        doc_date = _as_date(document.get(doc_key))
        if typed_date != doc_date:
            differences.append(
                FieldDifference(
                    typed_key,
                    _date_text(typed_date, typed.get(typed_key)),
                    _date_text(doc_date, ""),
                    _date_hint(typed_date, doc_date),
                )
            )
    return differences


def _alnum_upper(value) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(value or "").upper())


def _confusable_key(value: str) -> str:
    return value.translate(str.maketrans("OIZSB", "01258"))


def _normalize_sex(value) -> str:
    text = str(value or "").strip().upper()
    return "X" if text in ("", FILLER, "X") else text[:1]


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _date_text(parsed: datetime.date | None, original) -> str:
    return parsed.isoformat() if parsed else str(original or "")


def _date_hint(typed_date: datetime.date | None, doc_date: datetime.date | None) -> str | None:
    same_year = typed_date and doc_date and typed_date.year == doc_date.year
    if same_year and (typed_date.month, typed_date.day) == (doc_date.day, doc_date.month):
        return HINT_DAY_MONTH_SWAPPED
    return None
