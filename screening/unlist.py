"""The UN Security Council consolidated list (XML) converted to FtM entities as it is read.

An operator may have to screen against the official source. The file is parsed element by
element (lxml iterparse), each INDIVIDUAL becoming a FollowTheMoney Person (names, good-quality
aliases, the name in its original script, birth dates, nationalities, gender) and then the
same record as an FtM line would give; each ENTITY an FtM Organization (names, aliases,
countries of its addresses).
"""

from collections.abc import Iterator

from followthemoney import model
from lxml import etree

from .listdata import ListedRecord, ListFileError, record_from_entity

ROOT_TAG = "CONSOLIDATED_LIST"
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
WEAK_ALIAS = {"low"}  # "Low quality" aliases are too vague to screen by (as OpenSanctions does)


def _texts(element, path: str) -> list[str]:
    return [t.strip() for t in element.xpath(f"{path}/text()") if t and t.strip()]


def _birth_dates(individual) -> list[str]:
    dates = []
    for birth in individual.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        dates += _texts(birth, "DATE") + _texts(birth, "YEAR")
        start, end = _texts(birth, "FROM_YEAR"), _texts(birth, "TO_YEAR")
        if start and end and start[0].isdigit() and end[0].isdigit():
            dates += [str(year) for year in range(int(start[0]), int(end[0]) + 1)][:10]
    return [date[:10] for date in dates]


def person_from_individual(individual) -> dict:
    """One INDIVIDUAL element as an FtM Person entity dict."""
    reference = (_texts(individual, "REFERENCE_NUMBER") or _texts(individual, "DATAID") or [""])[0]
    if not reference:
        raise ListFileError("an INDIVIDUAL without REFERENCE_NUMBER or DATAID")
    entity = model.make_entity("Person")
    entity.id = f"un-sc-{reference}"
    name = " ".join(part for tag in NAME_PARTS for part in _texts(individual, tag))
    entity.add("name", name or None, quiet=True)
    entity.add("name", _texts(individual, "NAME_ORIGINAL_SCRIPT"), quiet=True)
    for alias in individual.iterfind("INDIVIDUAL_ALIAS"):
        quality = " ".join(_texts(alias, "QUALITY")).lower()
        prop = "weakAlias" if quality in WEAK_ALIAS else "alias"
        entity.add(prop, _texts(alias, "ALIAS_NAME"), quiet=True)
    entity.add("birthDate", _birth_dates(individual), quiet=True)
    entity.add("nationality", _texts(individual, "NATIONALITY/VALUE"), quiet=True)
    entity.add("gender", _texts(individual, "GENDER"), quiet=True)
    entity.add("topics", "sanction")
    data = entity.to_dict()
    data["caption"] = entity.caption
    return data


def organisation_from_entity(element) -> dict:
    """One ENTITY element (a company, a group) as an FtM Organization entity dict."""
    reference = (_texts(element, "REFERENCE_NUMBER") or _texts(element, "DATAID") or [""])[0]
    if not reference:
        raise ListFileError("an ENTITY without REFERENCE_NUMBER or DATAID")
    entity = model.make_entity("Organization")
    entity.id = f"un-sc-{reference}"
    entity.add("name", " ".join(_texts(element, "FIRST_NAME")) or None, quiet=True)
    entity.add("name", _texts(element, "NAME_ORIGINAL_SCRIPT"), quiet=True)
    for alias in element.iterfind("ENTITY_ALIAS"):
        quality = " ".join(_texts(alias, "QUALITY")).lower()
        prop = "weakAlias" if quality in WEAK_ALIAS else "alias"
        entity.add(prop, _texts(alias, "ALIAS_NAME"), quiet=True)
    entity.add("country", _texts(element, "ENTITY_ADDRESS/COUNTRY"), quiet=True)
    entity.add("topics", "sanction")
    data = entity.to_dict()
    data["caption"] = entity.caption
    return data


def read_un_xml(stream) -> Iterator[ListedRecord | None]:
    """Persons and organisations from the UN consolidated list XML (None for one without a
    name);
    raises ListFileError for a file that is not that list, or is broken or cut off."""
    events = etree.iterparse(
        stream, events=("start", "end"), huge_tree=True, resolve_entities=False
    )
    seen_root = False
    try:
        for event, element in events:
            if event == "start":
                if not seen_root:
                    if element.tag != ROOT_TAG:
                        raise ListFileError(
                            f"an XML file whose root is <{element.tag}>, not the UN consolidated "
                            f"list's <{ROOT_TAG}>"
                        )
                    seen_root = True
                continue
            if element.tag == "INDIVIDUAL":
                yield record_from_entity(person_from_individual(element))
            elif element.tag == "ENTITY":
                yield record_from_entity(organisation_from_entity(element))
            else:
                continue
            element.clear()  # memory stays flat: the parsed element is not needed any more
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        raise ListFileError(f"the XML is broken or cut off: {error}") from None
