"""ICAO 9303 machine readable zone (MRZ) layouts: check digits, dates, names and parsing.

Pure code, no database and no I/O. Covers TD1 (3x30, ID cards), TD2 (2x36)
and TD3 (2x44, passports).
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
NAME_FIELD_LENGTH = {"TD1": 30, "TD2": 31, "TD3": 39}

# How far ahead an expiry date may lie (passports run 10 years, some cards longer).
MAX_YEARS_TO_EXPIRY = 20

# ISO 3166-1 alpha-3 codes plus ICAO 9303 specials (D for Germany, British
# nationals, UN, refugees/stateless, EU, Kosovo).
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
XXA XXB XXC XXX EUE RKS
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
    """Fields of one parsed MRZ; `valid` means every check digit holds and both dates exist."""

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
    """'TD1', 'TD2' or 'TD3' from the number and length of lines, else None."""
    shape = (len(lines), len(lines[0]) if lines else 0)
    for mrz_type, (count, length) in MRZ_SHAPES.items():
        if shape == (count, length) and all(len(line) == length for line in lines):
            return mrz_type
    return None


def clean_mrz_text(text: str) -> list[str]:
    """Non-empty MRZ lines from free text: spaces removed, uppercased."""
    return [re.sub(r"\s", "", line).upper() for line in text.splitlines() if line.strip()]


def parse_mrz(
    text_or_lines: str | list[str] | tuple[str, ...], today: datetime.date | None = None
) -> MrzFields:
    """Parse TD1/TD2/TD3 MRZ text; raises ValueError when the shape or alphabet is wrong."""
    lines = clean_mrz_text(text_or_lines) if isinstance(text_or_lines, str) else list(text_or_lines)
    mrz_type = detect_mrz_type(lines)
    if mrz_type is None:
        raise ValueError("MRZ must be 3x30, 2x36 or 2x44 characters")
    if any(c not in MRZ_ALPHABET for c in "".join(lines)):
        raise ValueError("MRZ contains characters outside A-Z, 0-9 and <")
    if mrz_type == "TD1":
        return _parse_td1(lines, today)
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
    valid = all(checks.values()) and date_of_birth is not None and expiration_date is not None
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
