"""Reading list files into the few facts matching needs. Pure code: no database.

FtM entities (JSON lines, as OpenSanctions publishes them) are read one line at a time, so
memory stays flat whatever the file's size. Persons and organisations (Organization, Company,
PublicBody, LegalEntity) are kept: the portal screens applicants and the organisations that
apply; vessels, sanctions programmes, addresses and the like are skipped.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from followthemoney import model

NAME_PROPERTIES = ("name", "alias", "previousName")
COUNTRY_PROPERTIES = ("nationality", "citizenship", "country")
ORGANISATION_COUNTRY_PROPERTIES = ("country", "jurisdiction", "mainCountry")
# Numbers an organisation is registered under; nomenklatura's identifier rules compare them.
REGISTRATION_PROPERTIES = ("registrationNumber", "idNumber", "taxNumber", "leiCode", "innCode",
                           "ogrnCode")  # fmt: skip
MAX_NUMBERS = 10
MAX_NAMES = 40  # a few entries carry hundreds of spellings; the first forty are plenty


class ListFileError(Exception):
    """The list file cannot be loaded (not JSON, truncated, wrong format); says where."""


@dataclass(frozen=True)
class ListedRecord:
    """One person or organisation of a list file as matching keeps it."""

    entity_id: str
    schema: str
    caption: str
    data: dict  # names, birth_dates, countries, gender, topics (registrations: organisations)
    content_hash: str


def _person_schemata() -> frozenset[str]:
    return frozenset(s.name for s in model.schemata.values() if s.is_a("Person"))


def _organisation_schemata() -> frozenset[str]:
    return frozenset(
        s.name for s in model.schemata.values() if s.is_a("LegalEntity") and not s.is_a("Person")
    )


PERSON_SCHEMATA = _person_schemata()
ORGANISATION_SCHEMATA = _organisation_schemata()


def is_organisation(schema: str) -> bool:
    return schema in ORGANISATION_SCHEMATA


def _strings(values) -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def record_from_entity(entity: dict) -> ListedRecord | None:
    """A person or organisation from one FtM entity dict; None for other schemata (vessels,
    sanctions, addresses...)."""
    schema = entity.get("schema")
    entity_id = entity.get("id")
    properties = entity.get("properties")
    if not isinstance(schema, str) or not isinstance(entity_id, str) or not entity_id:
        raise ListFileError("an entity without an id or a schema")
    if not isinstance(properties, dict):
        raise ListFileError(f"entity {entity_id[:80]} has no properties")
    if schema not in PERSON_SCHEMATA and schema not in ORGANISATION_SCHEMATA:
        if schema not in model.schemata:
            raise ListFileError(f"entity {entity_id[:80]} has an unknown schema {schema[:40]!r}")
        return None
    if schema in ORGANISATION_SCHEMATA:
        return _organisation(entity_id, schema, properties, entity.get("caption"))
    names = []
    for prop in NAME_PROPERTIES:
        names.extend(_strings(properties.get(prop)))
    parts = [
        " ".join(_strings(properties.get(p)))
        for p in ("firstName", "secondName", "middleName", "fatherName", "lastName")
    ]
    assembled = " ".join(p for p in parts if p)
    if assembled:
        names.append(assembled)
    names = list(dict.fromkeys(names))[:MAX_NAMES]
    if not names:
        return None  # nothing to match a name against
    countries = []
    for prop in COUNTRY_PROPERTIES:
        countries.extend(c.lower() for c in _strings(properties.get(prop)))
    data = {
        "names": names,
        "birth_dates": sorted(set(_strings(properties.get("birthDate")))),
        "countries": sorted(set(countries)),
        "gender": sorted(set(_strings(properties.get("gender")))),
        "topics": sorted(set(_strings(properties.get("topics")))),
    }
    caption = entity.get("caption") if isinstance(entity.get("caption"), str) else names[0]
    return ListedRecord(entity_id[:255], schema, caption[:500], data, content_hash(data))


def _organisation(entity_id, schema, properties, caption) -> ListedRecord | None:
    names = []
    for prop in NAME_PROPERTIES:
        names.extend(_strings(properties.get(prop)))
    names = list(dict.fromkeys(names))[:MAX_NAMES]
    if not names:
        return None
    countries = []
    for prop in ORGANISATION_COUNTRY_PROPERTIES:
        countries.extend(c.lower() for c in _strings(properties.get(prop)))
    numbers = []
    for prop in REGISTRATION_PROPERTIES:
        numbers.extend(_strings(properties.get(prop)))
    data = {
        "names": names,
        "countries": sorted(set(countries)),
        "registrations": list(dict.fromkeys(numbers))[:MAX_NUMBERS],
        "topics": sorted(set(_strings(properties.get("topics")))),
    }
    caption = caption if isinstance(caption, str) else names[0]
    return ListedRecord(entity_id[:255], schema, caption[:500], data, content_hash(data))


def content_hash(data: dict) -> str:
    """A fingerprint of what matching sees of an entity: a resolved false positive stays
    resolved until this changes."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_ftm_lines(lines: Iterable[bytes]) -> Iterator[ListedRecord]:
    """Persons and organisations from FtM JSON lines; raises ListFileError naming the first
    bad line."""
    number = 0
    for number, raw in enumerate(lines, start=1):  # noqa: B007 - used after the loop
        if not raw.strip():
            continue
        try:
            entity = json.loads(raw)
        except (UnicodeDecodeError, ValueError) as error:
            ending = "" if raw.endswith(b"\n") else " (the file looks truncated)"
            raise ListFileError(f"line {number}: not a JSON object{ending}: {error}") from None
        if not isinstance(entity, dict):
            raise ListFileError(f"line {number}: not a JSON object")
        try:
            record = record_from_entity(entity)
        except ListFileError as error:
            raise ListFileError(f"line {number}: {error}") from None
        yield record  # None for a skipped entity: the loader counts those
