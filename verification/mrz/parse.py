"""ICAO 9303 machine readable zone (MRZ) layouts: check digits, dates, names and parsing.

Pure code, no database and no I/O. Covers TD1 (3x30, ID cards), TD2 (2x36), TD3 (2x44,
passports), the machine readable visas MRV-A (2x44) and MRV-B (2x36), and France's national
identity card of 1994-2021 (FR-ID: 2x36 but not ICAO: its own fields and no expiry date).
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

FILLER = "<"
MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

# Lines and characters per line for each MRZ format.
MRZ_SHAPES = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
# Visas have the TD3/TD2 shapes; their document code starts with V.
VISA_TYPES = {"TD3": "MRV-A", "TD2": "MRV-B"}
NAME_FIELD_LENGTH = {"TD1": 30, "TD2": 31, "TD3": 39, "MRV-A": 39, "MRV-B": 31}
# France's identity card of 1994-2021 (still valid in the millions): 2x36 lines that start
# IDFRA, the surname (25) on line 1, the given names (14) on line 2, no expiry date.
FRENCH_ID = "FR-ID"
FRENCH_ID_START = "IDFRA"
FRENCH_SURNAME_LENGTH = 25
FRENCH_GIVEN_NAMES_LENGTH = 14

# How far ahead an expiry date may lie (passports run 10 years, some cards longer).
MAX_YEARS_TO_EXPIRY = 20

# ISO 3166-1 alpha-3 codes plus ICAO 9303 specials (D for Germany, British
# nationals, UN, refugees/stateless, EU, Kosovo, and UTO for ICAO's own specimens).
ISO_ALPHA3 = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN
BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN
CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU
DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR
GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV
HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM
KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA
MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM
NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL
PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE
SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""
ICAO_SPECIAL_CODES = """
D GBD GBN GBO GBP GBS UNO UNA UNK XBA XIM XCC XCE XCO XEC XPO XES XMP XOM XDC
XXA XXB XXC XXX EUE RKS UTO
"""
COUNTRY_CODES = frozenset(ISO_ALPHA3.split()) | frozenset(ICAO_SPECIAL_CODES.split())

# Codes that name the same state (Germany writes D in the MRZ, DEU elsewhere).
COUNTRY_ALIASES = {"DEU": "D"}

# ICAO 9303 part 3 transliterations; the first entry is the recommended form,
# the others are also seen on issued documents.
TRANSLITERATIONS = {
    "Ä": ("AE", "A"),
    "Æ": ("AE",),
    "Å": ("AA", "A"),
    "Ö": ("OE", "O"),
    "Ø": ("OE", "O"),
    "Œ": ("OE",),
    "Ü": ("UE", "U"),
    "ß": ("SS",),
    "ẞ": ("SS",),
    "Þ": ("TH",),
    "Ð": ("D",),
    "Đ": ("D",),
    "Ł": ("L",),
    "Ĳ": ("IJ",),
    "Ñ": ("N",),
}
# ICAO omits apostrophes; some issuers print a filler instead, so we accept both.
SEPARATOR_CHARACTERS = " -‐–,."
APOSTROPHES = "'’`´"


def character_value(char: str) -> int:
    """Value of an MRZ character (0-9, A=10..Z=35, filler=0); raises ValueError otherwise."""
    if char.isdigit() and char.isascii():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise ValueError("not an MRZ character")


def compute_check_digit(data: str) -> str:
    """ICAO 9303 check digit (weights 7, 3, 1) of `data`; ValueError on non-MRZ characters."""
    weights = itertools.cycle((7, 3, 1))
    return str(sum(character_value(c) * w for c, w in zip(data, weights, strict=False)) % 10)


def is_check_digit_valid(data: str, digit: str) -> bool:
    """True when `digit` is the check digit of `data`; an empty field may use a filler."""
    try:
        if digit == FILLER:
            return set(data) <= {FILLER}
        return compute_check_digit(data) == digit
    except ValueError:
        return False


def is_country_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-3 code or an ICAO special code (filler padding ignored)."""
    return code.rstrip(FILLER) in COUNTRY_CODES


# --- dates -----------------------------------------------------------------


def resolve_birth_date(yymmdd: str, today: datetime.date | None = None) -> datetime.date | None:
    """Birth date from YYMMDD, choosing the century that puts it in the past; None if not a date."""
    today = today or datetime.date.today()
    for century in (2000, 1900):
        parsed = _parse_yymmdd(yymmdd, century)
        if parsed is None:
            return None
        if parsed <= today:
            return parsed
    return _parse_yymmdd(yymmdd, 1900)


def resolve_expiry_date(yymmdd: str, today: datetime.date | None = None) -> datetime.date | None:
    """Expiry date from YYMMDD, up to MAX_YEARS_TO_EXPIRY years ahead; None if not a date."""
    today = today or datetime.date.today()
    parsed = _parse_yymmdd(yymmdd, 2000)
    if parsed is None:
        return None
    if parsed.year <= today.year + MAX_YEARS_TO_EXPIRY:
        return parsed
    return _parse_yymmdd(yymmdd, 1900)


def _parse_yymmdd(yymmdd: str, century: int) -> datetime.date | None:
    if not re.fullmatch(r"\d{6}", yymmdd or ""):
        return None
    try:
        return datetime.date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None


def format_yymmdd(value: datetime.date) -> str:
    """The YYMMDD form of a date, as written in the MRZ."""
    return value.strftime("%y%m%d")


# --- names -----------------------------------------------------------------


def transliteration_variants(text: str, limit: int = 64) -> list[str]:
    """All MRZ spellings of `text` (uppercase, transliterated, fillers), recommended first."""
    options_per_char: list[tuple[str, ...]] = []
    for char in text.upper():
        if char in TRANSLITERATIONS:
            options_per_char.append(TRANSLITERATIONS[char])
        elif char in SEPARATOR_CHARACTERS:
            options_per_char.append((FILLER,))
        elif char in APOSTROPHES:
            options_per_char.append(("", FILLER))
        elif "A" <= char <= "Z" or char == FILLER:
            options_per_char.append((char,))
        else:
            # Other accents: drop the combining marks (É -> E); drop anything else.
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if "A" <= c <= "Z" or c.isdigit()
            )
            options_per_char.append((base.upper(),))
    variants: list[str] = []
    for combo in itertools.product(*options_per_char):
        variant = _collapse_fillers("".join(combo))
        if variant not in variants:
            variants.append(variant)
        if len(variants) >= limit:
            break
    return variants


def normalize_name(text: str, length: int | None = None) -> str:
    """ICAO 9303 form of a name part (uppercase, transliterated, fillers), cut to `length`."""
    normalized = transliteration_variants(text, limit=1)[0]
    return normalized[:length] if length is not None else normalized


def mrz_name_field(surname: str, given_names: str, length: int | None = None) -> str:
    """The MRZ name field SURNAME<<GIVEN<NAMES (no padding), truncated to `length` if given."""
    field_text = normalize_name(surname)
    given = normalize_name(given_names)
    if given:
        field_text += FILLER * 2 + given
    return field_text[:length] if length is not None else field_text


def _collapse_fillers(text: str) -> str:
    return re.sub("<+", FILLER, text).strip(FILLER)


def split_name_field(name_field: str) -> tuple[str, str]:
    """(surname, given names) from an MRZ name field, with spaces instead of fillers."""
    surname, _, given = name_field.partition(FILLER * 2)
    return fillers_to_spaces(surname), fillers_to_spaces(given)


def fillers_to_spaces(text: str) -> str:
    return " ".join(part for part in text.split(FILLER) if part)


# --- parsing ---------------------------------------------------------------


@dataclass(frozen=True)
class MrzFields:
    """Fields of one parsed MRZ; `valid` means every check digit holds and the dates exist
    (both, or the birth date alone on a layout without expiry)."""

    mrz_type: str
    document_type: str
    country: str
    number: str
    date_of_birth: datetime.date | None
    expiration_date: datetime.date | None
    nationality: str
    sex: str
    surname: str
    names: str
    optional_data: str
    optional_data_2: str
    check_digits: dict[str, bool] = field(default_factory=dict)
    valid: bool = False
    lines: tuple[str, ...] = ()
    raw_date_of_birth: str = ""
    raw_expiration_date: str = ""

    @property
    def name_field(self) -> str:
        """The name as written in the MRZ, fillers kept and trailing fillers dropped."""
        surname = self.surname.replace(" ", FILLER)
        names = self.names.replace(" ", FILLER)
        return surname + (FILLER * 2 + names if names else "")


def detect_mrz_type(lines: list[str] | tuple[str, ...]) -> str | None:
    """'TD1', 'TD2', 'TD3', 'MRV-A', 'MRV-B' or 'FR-ID' from the lines' shape and start."""
    shape = (len(lines), len(lines[0]) if lines else 0)
    for mrz_type, (count, length) in MRZ_SHAPES.items():
        if shape == (count, length) and all(len(line) == length for line in lines):
            if mrz_type in VISA_TYPES and lines[0].startswith("V"):
                return VISA_TYPES[mrz_type]
            if mrz_type == "TD2" and lines[0].startswith(FRENCH_ID_START):
                return _french_or_td2(list(lines))
            return mrz_type
    return None


def _french_or_td2(lines: list[str]) -> str:
    """IDFRA on 2x36 is France's 1994 card (France issued no ICAO TD2 identity card), unless
    only the ICAO TD2 reading of the lines has every check digit holding."""
    french_holds = all(_parse_french_id(lines, None).check_digits.values())
    td2_holds = all(_parse_td2_td3(lines, "TD2", None).check_digits.values())
    return "TD2" if td2_holds and not french_holds else FRENCH_ID


def clean_mrz_text(text: str) -> list[str]:
    """Non-empty MRZ lines from free text: spaces removed, uppercased."""
    return [re.sub(r"\s", "", line).upper() for line in text.splitlines() if line.strip()]


def parse_mrz(
    text_or_lines: str | list[str] | tuple[str, ...], today: datetime.date | None = None
) -> MrzFields:
    """Parse TD1/TD2/TD3/MRV MRZ text; raises ValueError when the shape or alphabet is wrong."""
    lines = clean_mrz_text(text_or_lines) if isinstance(text_or_lines, str) else list(text_or_lines)
    mrz_type = detect_mrz_type(lines)
    if mrz_type is None:
        raise ValueError("MRZ must be 3x30, 2x36 or 2x44 characters")
    if any(c not in MRZ_ALPHABET for c in "".join(lines)):
        raise ValueError("MRZ contains characters outside A-Z, 0-9 and <")
    if mrz_type == "TD1":
        return _parse_td1(lines, today)
    if mrz_type in ("MRV-A", "MRV-B"):
        return _parse_visa(lines, mrz_type, today)
    if mrz_type == FRENCH_ID:
        return _parse_french_id(lines, today)
    return _parse_td2_td3(lines, mrz_type, today)


def _split_long_number(number: str, number_check: str, optional: str) -> tuple[str, str, str]:
    """Document numbers over 9 characters continue in the optional data (TD1/TD2)."""
    if number_check == FILLER and optional.strip(FILLER):
        overflow = optional.split(FILLER)[0]
        if len(overflow) >= 2:
            rest = optional[len(overflow) :]
            return number + overflow[:-1], overflow[-1], rest
    return number, number_check, optional


def _parse_td1(lines: list[str], today: datetime.date | None) -> MrzFields:
    line1, line2, line3 = lines
    number, number_check, optional1 = _split_long_number(line1[5:14], line1[14], line1[15:30])
    checks = {
        "number": is_check_digit_valid(number, number_check),
        "date_of_birth": is_check_digit_valid(line2[0:6], line2[6]),
        "expiration_date": is_check_digit_valid(line2[8:14], line2[14]),
        "composite": is_check_digit_valid(
            line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29], line2[29]
        ),
    }
    surname, names = split_name_field(line3)
    return _build_fields(
        "TD1",
        lines,
        line1[0:2],
        line1[2:5],
        number,
        line2[0:6],
        line2[8:14],
        line2[15:18],
        line2[7],
        surname,
        names,
        optional1,
        line2[18:29],
        checks,
        today,
    )


def _parse_td2_td3(lines: list[str], mrz_type: str, today: datetime.date | None) -> MrzFields:
    line1, line2 = lines
    length = len(line2)
    optional_end = length - 2 if mrz_type == "TD3" else length - 1
    number, number_check, optional = _split_long_number(
        line2[0:9], line2[9], line2[28:optional_end]
    )
    checks = {
        "number": is_check_digit_valid(number, number_check),
        "date_of_birth": is_check_digit_valid(line2[13:19], line2[19]),
        "expiration_date": is_check_digit_valid(line2[21:27], line2[27]),
    }
    if mrz_type == "TD3":
        checks["optional_data"] = is_check_digit_valid(line2[28:42], line2[42])
    checks["composite"] = is_check_digit_valid(
        line2[0:10] + line2[13:20] + line2[21 : length - 1], line2[-1]
    )
    surname, names = split_name_field(line1[5:])
    return _build_fields(
        mrz_type,
        lines,
        line1[0:2],
        line1[2:5],
        number,
        line2[13:19],
        line2[21:27],
        line2[10:13],
        line2[20],
        surname,
        names,
        optional,
        "",
        checks,
        today,
    )


def _parse_visa(lines: list[str], mrz_type: str, today: datetime.date | None) -> MrzFields:
    """MRV-A/MRV-B: the TD3/TD2 lines without composite or optional-data check digits."""
    line1, line2 = lines
    checks = {
        "number": is_check_digit_valid(line2[0:9], line2[9]),
        "date_of_birth": is_check_digit_valid(line2[13:19], line2[19]),
        "expiration_date": is_check_digit_valid(line2[21:27], line2[27]),
    }
    surname, names = split_name_field(line1[5:])
    return _build_fields(
        mrz_type,
        lines,
        line1[0:2],
        line1[2:5],
        line2[0:9],
        line2[13:19],
        line2[21:27],
        line2[10:13],
        line2[20],
        surname,
        names,
        line2[28:],
        "",
        checks,
        today,
    )


def _parse_french_id(lines: list[str], today: datetime.date | None) -> MrzFields:
    """France's 1994-2021 card: line 1 ID, FRA, surname (25), issuing office (6: department
    and office, or fillers); line 2 number (12: YYMM of issue, department, sequence) and its
    digit, given names (14, separated by <<), birth date and its digit, sex, and a composite
    over all of line 1 and the rest of line 2. The card is issued to French nationals only,
    so the nationality is the issuing state; it has no expiry date."""
    line1, line2 = lines
    checks = {
        "number": is_check_digit_valid(line2[0:12], line2[12]),
        "date_of_birth": is_check_digit_valid(line2[27:33], line2[33]),
        "composite": is_check_digit_valid(line1 + line2[0:35], line2[35]),
    }
    return _build_fields(
        FRENCH_ID,
        lines,
        line1[0:2],
        line1[2:5],
        line2[0:12],
        line2[27:33],
        "",
        line1[2:5],
        line2[34],
        fillers_to_spaces(line1[5:30]),
        fillers_to_spaces(line2[13:27]),
        line1[30:36],
        "",
        checks,
        today,
    )


def _build_fields(
    mrz_type,
    lines,
    doc_type,
    country,
    number,
    dob,
    expiry,
    nationality,
    sex,
    surname,
    names,
    optional,
    optional_2,
    checks,
    today,
) -> MrzFields:
    date_of_birth = resolve_birth_date(dob, today)
    expiration_date = resolve_expiry_date(expiry, today)
    has_expiry = "expiration_date" not in absent_fields(mrz_type)
    valid = (
        all(checks.values())
        and date_of_birth is not None
        and (expiration_date is not None or not has_expiry)
    )
    return MrzFields(
        mrz_type=mrz_type,
        document_type=doc_type.rstrip(FILLER),
        country=country.rstrip(FILLER),
        number=number.rstrip(FILLER),
        date_of_birth=date_of_birth,
        expiration_date=expiration_date,
        nationality=nationality.rstrip(FILLER),
        sex="X" if sex == FILLER else sex,
        surname=surname,
        names=names,
        optional_data=optional.rstrip(FILLER),
        optional_data_2=optional_2.rstrip(FILLER),
        check_digits=checks,
        valid=valid,
        lines=tuple(lines),
        raw_date_of_birth=dob,
        raw_expiration_date=expiry,
    )


# --- per-field trust ---------------------------------------------------------

Position = tuple[int, int]  # (line, character)

# Every field a reading can trust, in MRZ order; "names" are the given names.
TRUSTABLE_FIELDS = (
    "document_type",
    "country",
    "surname",
    "names",
    "number",
    "nationality",
    "date_of_birth",
    "sex",
    "expiration_date",
    "optional_data",
    "optional_data_2",
)
# Fields a check digit of their own covers: a holding digit is their evidence.
CHECKED_FIELDS = ("number", "date_of_birth", "expiration_date", "optional_data")

_LINE_TWO_OF_TD3_TD2 = {
    "number": [(1, 0, 10)],
    "nationality": [(1, 10, 13)],
    "date_of_birth": [(1, 13, 20)],
    "sex": [(1, 20, 21)],
    "expiration_date": [(1, 21, 28)],
}
_HEADER = {"document_type": [(0, 0, 2)], "country": [(0, 2, 5)]}
# (line, start, end) of each field, its own check digit included; "name" is split later.
FIELD_SPANS = {
    "TD3": {
        **_HEADER,
        "name": [(0, 5, 44)],
        **_LINE_TWO_OF_TD3_TD2,
        "optional_data": [(1, 28, 43)],
    },
    "TD2": {
        **_HEADER,
        "name": [(0, 5, 36)],
        **_LINE_TWO_OF_TD3_TD2,
        "optional_data": [(1, 28, 35)],
    },
    "MRV-A": {
        **_HEADER,
        "name": [(0, 5, 44)],
        **_LINE_TWO_OF_TD3_TD2,
        "optional_data": [(1, 28, 44)],
    },
    "MRV-B": {
        **_HEADER,
        "name": [(0, 5, 36)],
        **_LINE_TWO_OF_TD3_TD2,
        "optional_data": [(1, 28, 36)],
    },
    "TD1": {
        **_HEADER,
        "number": [(0, 5, 15)],
        "optional_data": [(0, 15, 30)],
        "date_of_birth": [(1, 0, 7)],
        "sex": [(1, 7, 8)],
        "expiration_date": [(1, 8, 15)],
        "nationality": [(1, 15, 18)],
        "optional_data_2": [(1, 18, 29)],
        "name": [(2, 0, 30)],
    },
    # The names are two fields of their own; the nationality is the issuing state's code.
    FRENCH_ID: {
        **_HEADER,
        "surname": [(0, 5, 30)],
        "optional_data": [(0, 30, 36)],
        "number": [(1, 0, 13)],
        "names": [(1, 13, 27)],
        "date_of_birth": [(1, 27, 34)],
        "sex": [(1, 34, 35)],
        "nationality": [(0, 2, 5)],
    },
}
COMPOSITE_POSITION = {"TD3": (1, 43), "TD2": (1, 35), "TD1": (1, 29), FRENCH_ID: (1, 35)}
SEX_CODES = ("M", "F", "X")


def absent_fields(mrz_type: str) -> frozenset[str]:
    """The trustable fields a layout does not have (FR-ID has no expiry, only TD1 a second
    optional data). field_trust calls them trusted, as nothing in them is unsure; they have
    no value to compare or pre-fill."""
    if mrz_type not in FIELD_SPANS:
        return frozenset()  # an unknown layout: nothing known to be missing
    spans = FIELD_SPANS[mrz_type]
    present = set(spans) | ({"surname", "names"} if "name" in spans else set())
    return frozenset(TRUSTABLE_FIELDS) - present


def field_positions(fields: MrzFields) -> dict[str, list[Position]]:
    """The MRZ positions each field of `fields` was read from (with its own check digit)."""
    positions = {
        name: [(line, i) for line, start, end in spans for i in range(start, end)]
        for name, spans in FIELD_SPANS[fields.mrz_type].items()
    }
    overflow = len(fields.number) - (len(positions["number"]) - 1)  # cells less the digit
    if overflow > 0:
        # A long number continues in the optional data, its check digit after it.
        moved = positions["optional_data"][: overflow + 1]
        positions["number"] = positions["number"][:9] + moved
        positions["optional_data"] = positions["optional_data"][overflow + 1 :]
    if "name" in positions:
        positions.update(_split_name_positions(fields, positions.pop("name")))
    return {field_name: positions.get(field_name, []) for field_name in TRUSTABLE_FIELDS}


def _split_name_positions(fields: MrzFields, name: list[Position]) -> dict[str, list[Position]]:
    """An ICAO name field's positions: the surname up to its << and the given names after."""
    line_index = name[0][0]
    text = "".join(fields.lines[line_index][i] for _, i in name)
    separator = text.find(FILLER * 2)
    if separator < 0:
        return {"surname": name, "names": name}
    return {"surname": name[: separator + 2], "names": name[separator + 2 :]}


def field_trust(fields: MrzFields, unsure: set[Position] | frozenset = frozenset()) -> dict:
    """Which fields of a reading can be trusted, given the positions the reader is unsure of.

    A field with its own check digit is trusted when that digit holds and no position in it
    is still unsure; every other field (names, sex, codes, data only the composite covers)
    when each of its characters is sure. A failing composite digit, or one read unsure,
    takes the trust of the fields only it covers. Codes must exist and sex must be M, F or X.
    Where the names begin depends on characters outside them, so those must be sure too: the
    given names begin after the surname's `<<` (in a single ICAO name field), and on a
    two-line MRZ the name field after the document code and issuing state (an extra cell read
    in front shifts the whole name). A field the layout lacks (absent_fields) is trusted.
    """
    checks = fields.check_digits
    unsure = set(unsure)
    composite_holds = checks.get("composite", True)
    if fields.mrz_type in COMPOSITE_POSITION:
        composite_holds = composite_holds and COMPOSITE_POSITION[fields.mrz_type] not in unsure
    positions_of = field_positions(fields)
    trust = {}
    for name, positions in positions_of.items():
        sure = not (set(positions) & unsure)
        if not positions:
            trusted = True  # a field this layout does not have
        elif name in checks:
            trusted = checks[name] and sure
        elif name.startswith("optional_data") and fields.mrz_type in COMPOSITE_POSITION:
            trusted = composite_holds and sure
        else:
            trusted = sure
        trust[name] = trusted
    if fields.mrz_type != "TD1":
        header = positions_of["document_type"] + positions_of["country"]
        if set(header) & unsure:
            trust["surname"] = trust["names"] = False
    if "name" in FIELD_SPANS[fields.mrz_type]:
        trust["names"] = trust["names"] and not (set(positions_of["surname"]) & unsure)
    trust["country"] = trust["country"] and is_country_code(fields.country)
    trust["nationality"] = trust["nationality"] and is_country_code(fields.nationality)
    trust["sex"] = trust["sex"] and fields.sex in SEX_CODES
    trust["date_of_birth"] = trust["date_of_birth"] and fields.date_of_birth is not None
    has_expiry = bool(positions_of["expiration_date"])
    trust["expiration_date"] = trust["expiration_date"] and (
        fields.expiration_date is not None or not has_expiry
    )
    return trust


def trusted_field_names(fields: MrzFields, trust: dict) -> tuple[str, ...]:
    """The fields `trust` (field_trust's answer) trusts, in MRZ order, leaving out those the
    layout lacks: field_trust counts them trusted so they never spoil `valid`, but a reading
    that lists one vouches for nothing (a TD3 has no second optional data)."""
    absent = absent_fields(fields.mrz_type)
    return tuple(name for name, trusted in trust.items() if trusted and name not in absent)
