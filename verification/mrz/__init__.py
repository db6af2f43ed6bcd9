"""The MRZ library: ICAO 9303 layouts and check digits (`parse`), reading an image
(`read`: locating, cells, glyphs, second opinion) and comparing with typed data (`compare`).

No Django and no database in here, so it can be tested and benchmarked alone. The reader
(`read_mrz`) is imported lazily: it pulls in numpy, scipy and the OCR engines.
"""

from .compare import (
    HINT_DAY_MONTH_SWAPPED,
    HINT_LETTER_DIGIT_CONFUSION,
    HINT_SEPARATOR,
    HINT_TRANSLITERATION,
    FieldDifference,
    compare_typed,
)
from .parse import (
    COUNTRY_CODES,
    FILLER,
    MRZ_ALPHABET,
    MRZ_SHAPES,
    NAME_FIELD_LENGTH,
    MrzFields,
    character_value,
    clean_mrz_text,
    compute_check_digit,
    detect_mrz_type,
    format_yymmdd,
    is_check_digit_valid,
    is_country_code,
    mrz_name_field,
    normalize_name,
    parse_mrz,
    resolve_birth_date,
    resolve_expiry_date,
    split_name_field,
    transliteration_variants,
)

__all__ = [
    "COUNTRY_CODES",
    "FILLER",
    "HINT_DAY_MONTH_SWAPPED",
    "HINT_LETTER_DIGIT_CONFUSION",
    "HINT_SEPARATOR",
    "HINT_TRANSLITERATION",
    "MRZ_ALPHABET",
    "MRZ_SHAPES",
    "NAME_FIELD_LENGTH",
    "FieldDifference",
    "MrzFields",
    "MrzReading",
    "character_value",
    "clean_mrz_text",
    "compare_typed",
    "compute_check_digit",
    "detect_mrz_type",
    "format_yymmdd",
    "is_check_digit_valid",
    "is_country_code",
    "mrz_name_field",
    "normalize_name",
    "parse_mrz",
    "read_mrz",
    "resolve_birth_date",
    "resolve_expiry_date",
    "split_name_field",
    "transliteration_variants",
]


def __getattr__(name):
    if name in ("read_mrz", "MrzReading", "ENGINE_NAME", "ENGINE_VERSION"):
        from . import read

        return getattr(read, name)
    raise AttributeError(name)
