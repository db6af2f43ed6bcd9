"""Scoring an applicant against list entries with nomenklatura's matchers.

Pure code: no database. Two of the algorithms OpenSanctions' matching service (yente) offers
score each candidate: LogicV1 (names, with birth-date and identifier rules) and the
name-based matcher with qualifiers (Jaro and Soundex over name parts, birth date, country and
gender counting against). Names are transliterated first (screening.transliteration), so a
name in Han or Cyrillic meets its Latin form.

LogicV1 decides, with one addition: it scores a single typo (Petrov / Vetrov) about as low as
two different given names (Jianguo / Jianhua). So when the names are within one letter of each
other, token by token, in any order and with given names missing on either side (not inside
pinyin, where one letter is another character), the name scores NEAR_NAME, less TYPO for the
wrong letter and MISSING_PART for a missing part, and the qualifiers (birth date, nationality,
gender) count against it with the weights of the qualified name matcher. The better of the two
scores counts, and the same full birth date adds BIRTH_DATE_BONUS (the scorers only count
dates against).
"""

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from followthemoney import model
from nomenklatura.matching import LogicV1, NameQualifiedMatcher, ScoringConfig
from rigour.text.distance import jaro_winkler, levenshtein
from rigour.text.phonetics import metaphone

from .keys import name_tokens, token_sets
from .transliteration import has_han, latin_forms

NEAR_NAME = 0.95
TYPO = 0.05  # one wrong letter
MISSING_PART = 0.05  # a given or middle name one side lacks
SOUNDS_ALIKE_TOKEN = 5  # shorter ones sounding alike are often other names (Mani / Meni)
MIN_TYPO_TOKEN = 4  # letters a token needs before one wrong letter still counts as a typo
# With the same full birth date a short token one letter off (Meng Nai / Meng Hai) is a typo
# worth a reviewer's look too.
MIN_CORROBORATED_TYPO_TOKEN = 3
NEAR_TOKEN = 0.8  # Jaro-Winkler at which two tokens count as close in the first look
BIRTH_DATE_BONUS = 0.1
OTHER_HAN_NAME = 0.7  # the most two names in different Han characters can score
# The most a person listed with no birth year of the applicant's can score: LogicV1's very
# name (1.0) less its dob_year_disjoint (0.15), or the near-name count's 0.95 less 0.1.
ANOTHER_BIRTH_YEAR = 0.85
QUALIFIER_WEIGHTS = {
    feature.name: -feature.weight for feature in NameQualifiedMatcher.features if feature.qualifier
}
# Features whose score is a penalty (a disagreement), reported as such in an explanation.
QUALIFIERS = {
    "han_differs",
    "country_mismatch",
    "dob_year_disjoint",
    "dob_day_disjoint",
    "gender_mismatch",
    "orgid_disjoint",
    "numbers_mismatch",
}


ORGANISATION = "Organization"


@dataclass(frozen=True)
class Subject:
    """Who is screened: names as typed and as read (any script), birth date, nationality; or
    an organisation (schema Organization): its name, country and registration number."""

    names: tuple[str, ...]
    birth_date: datetime.date | None = None
    nationality: str = ""  # ISO 3166 alpha-2 (an organisation's country of incorporation)
    gender: str = ""  # "male" / "female" / ""
    schema: str = "Person"
    registration_number: str = ""

    @property
    def is_organisation(self) -> bool:
        return self.schema == ORGANISATION


@dataclass(frozen=True)
class ListedPerson:
    """What matching keeps of a list entry (a person, or an organisation by its schema)."""

    entity_id: str
    caption: str
    names: tuple[str, ...]
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    gender: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    reference: object = field(default=None, compare=False)  # the caller's row, for recording
    schema: str = "Person"
    registrations: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypoRule:
    """When one letter between two tokens is a typo rather than another name: in tokens of
    `min_token` letters or more, and (without a birth date to agree) not when the applicant's
    spelling is itself a name held by many on the list (`listed_names`): an applicant called
    Vika is not a listed Lika with a typo, as a spell-checker does not correct a word that
    is in its dictionary; "Oohn" or "Jlngkang" are in no one's name. Two spellings said
    alike (Sergey, Sergei) stay one name."""

    min_token: int = MIN_TYPO_TOKEN
    listed_names: frozenset = frozenset()

    def another_name(self, a: str, b: str) -> bool:
        return a in self.listed_names or b in self.listed_names


CORROBORATED = TypoRule(MIN_CORROBORATED_TYPO_TOKEN)


@dataclass(frozen=True)
class Match:
    person: ListedPerson
    score: float
    explanation: dict


def _all_names(names) -> list[str]:
    """The names and their Latin forms, each once."""
    result = []
    for name in names:
        if name and name.strip():
            result.append(name.strip())
            result.extend(latin_forms(name))
    return list(dict.fromkeys(result))


def _person(entity_id: str, names, birth_dates, countries, genders):
    entity = model.make_entity("Person")
    entity.id = entity_id
    for name in _all_names(names):
        entity.add("name", name, quiet=True)
    for date in birth_dates:
        entity.add("birthDate", date, quiet=True)
    for country in countries:
        entity.add("nationality", country, quiet=True)
    for gender in genders:
        entity.add("gender", gender, quiet=True)
    return entity


def _organisation(entity_id: str, names, countries, registrations):
    entity = model.make_entity(ORGANISATION)
    entity.id = entity_id
    for name in _all_names(names):
        entity.add("name", name, quiet=True)
    for country in countries:
        entity.add("country", country, quiet=True)
    for number in registrations:
        entity.add("registrationNumber", number, quiet=True)
    return entity


def subject_entity(subject: Subject):
    if subject.is_organisation:
        # The registration number is left out: typed by the applicant, it must not count
        # against a match (a listed company giving another number), only for one (score).
        countries = [subject.nationality.lower()] if subject.nationality else []
        return _organisation("applicant", subject.names, countries, [])
    birth = [subject.birth_date.isoformat()] if subject.birth_date else []
    countries = [subject.nationality.lower()] if subject.nationality else []
    genders = [subject.gender] if subject.gender else []
    return _person("applicant", subject.names, birth, countries, genders)


def listed_entity(person: ListedPerson):
    if person.schema != "Person":
        return _organisation(
            person.entity_id or "listed", person.names, person.countries, person.registrations
        )
    return _person(
        person.entity_id or "listed", person.names, person.birth_dates, person.countries,
        person.gender,
    )  # fmt: skip


def score(
    subject: Subject, person: ListedPerson, *, query=None, listed_names: frozenset = frozenset()
) -> Match:
    """How well `person` matches `subject` (0 to 1), with the features that decided it.
    `listed_names`: the subject's name tokens that are names of many on the list (TypoRule)."""
    query = query if query is not None else subject_entity(subject)
    candidate = listed_entity(person)
    features = {}
    logic = LogicV1.compare(query, candidate, CONFIG)
    best_score, best_name = logic.score, LogicV1.NAME
    _collect(features, logic)
    if subject.is_organisation:
        # An organisation is scored by LogicV1 alone (names, country): the typo and
        # birth-date rules below are about people's names. The same registration number
        # counts for the match as the same birth date does for a person.
        if _same_registration(subject.registration_number, person.registrations):
            features["registration_match"] = 1.0
            best_score += BIRTH_DATE_BONUS
        final = round(max(0.0, min(1.0, best_score)), 3)
        return Match(person, final, _explain(subject, person, best_name, features))
    same_birth_date = _same_birth_date(subject, person)
    edits, missing, via_pinyin = near_edits(subject, person, listed_names)
    if via_pinyin:
        features["pinyin_near_name"] = 1.0
    if edits is not None and edits <= 1:
        qualified = NameQualifiedMatcher.compare(query, candidate, CONFIG)
        _collect(features, qualified)
        penalty = sum(
            weight * features.get(name, 0.0) for name, weight in QUALIFIER_WEIGHTS.items()
        )
        features["near_name"] = 1.0 if edits == 0 else 0.9
        near = NEAR_NAME - TYPO * edits - (MISSING_PART if missing else 0) - penalty
        if near > best_score or "name_literal_match" not in features:
            # Names this near are counted here, letter by letter and part by part, unless
            # LogicV1 found the very name: its phonetic score alone (0.9) would let a name
            # both sounding alike and short of a part hit as surely as the exact one.
            best_score, best_name = near, "near-name"
    if other_han_name(subject.names, person.names):
        # Both written in Han, in different characters: 许国 and 徐国 read Xu Guo alike but are
        # other names (pinyin only stands in when one side has no Han).
        features["han_differs"] = 1.0
        best_score = min(best_score, OTHER_HAN_NAME)
    if same_birth_date:
        # The same full birth date counts for the match, as a different one counts against.
        features["dob_exact_match"] = 1.0
        best_score += BIRTH_DATE_BONUS
    best_score = max(0.0, min(1.0, best_score))
    return Match(person, round(best_score, 3), _explain(subject, person, best_name, features))


def _same_birth_date(subject: Subject, person: ListedPerson) -> bool:
    return bool(subject.birth_date and subject.birth_date.isoformat() in person.birth_dates)


def near_edits(
    subject: Subject, person: ListedPerson, listed_names: frozenset = frozenset()
) -> tuple[int | None, bool, bool]:
    """name_edits under the typo rule the evidence allows, and whether it took the pinyin of
    a name in Han to get there: (edits, missing, via_pinyin)."""
    same_birth_date = _same_birth_date(subject, person)
    typo_rule = CORROBORATED if same_birth_date else TypoRule(listed_names=listed_names)
    edits, missing = name_edits(subject.names, person.names, typo_rule=typo_rule)
    if (edits is None or edits > 1) and same_birth_date:
        # One letter of pinyin is usually another character, so another name: a Chinese name
        # one letter off counts as a typo only when the full birth date agrees too.
        edits, missing = name_edits(subject.names, person.names, pinyin=True, typo_rule=typo_rule)
        if edits is not None and edits <= 1:
            return edits, missing, True
    return edits, missing, False


def may_reach(
    subject: Subject,
    subject_sets: list[list[str]],
    person: ListedPerson,
    listed_names: frozenset = frozenset(),
) -> bool:
    """Whether a scorer could put this person near the threshold, before building any FtM
    entity: the names are within one letter (the near-name count), or every token of some
    name of the subject is, or sounds like, a token of some name of the person (LogicV1's
    literal and phonetic scores, its only ones that reach a threshold, need that)."""
    if subject.is_organisation or person.schema != "Person":
        return True
    edits, _missing, _via_pinyin = near_edits(subject, person, listed_names)
    if edits is not None and edits <= 1:
        return True
    for b in token_sets(person.names):
        sounds = {_sound(token) for token in b}
        for a in subject_sets:
            if all(token in b or _sound(token) in sounds for token in a):
                return True
    return False


@lru_cache(maxsize=50_000)
def _sound(token: str) -> str:
    return metaphone(token) or token


def _said_alike(a: str, b: str) -> bool:
    """Long enough to tell, and sounding the same (shorter ones are often other names)."""
    return min(len(a), len(b)) >= SOUNDS_ALIKE_TOKEN and _sound(a) == _sound(b)


def another_birth_year(subject: Subject, person: ListedPerson) -> bool:
    """Both have birth dates and no listed one is in the applicant's year."""
    if subject.birth_date is None or not person.birth_dates:
        return False
    year = f"{subject.birth_date.year:04d}"
    return all(date[:4] != year for date in person.birth_dates)


def _registration(number: str) -> str:
    return "".join(c for c in number.upper() if c.isalnum())


def _same_registration(number: str, listed) -> bool:
    typed = _registration(number or "")
    return bool(typed) and any(_registration(other) == typed for other in listed)


def _han_names(names) -> set[str]:
    return {"".join(name.split()) for name in names if has_han(name)}


def other_han_name(names_a, names_b) -> bool:
    han_a, han_b = _han_names(names_a), _han_names(names_b)
    return bool(han_a and han_b and not han_a & han_b)


def _collect(features: dict, result) -> None:
    for name, feature in result.explanations.items():
        if feature.score:
            features[name] = round(max(feature.score, features.get(name, 0.0)), 3)


def name_edits(
    names_a, names_b, *, pinyin: bool = False, typo_rule: TypoRule = TypoRule()
) -> tuple[int | None, bool]:
    """The fewest letter edits between two names, token by token in any order, over the
    tokens the shorter name has (at least two), and whether one name has tokens the other
    lacks (a missing given name): (None, False) when no pair of names gets that far.

    Names written in Han are left out: one letter of pinyin is another character, another
    name (蒋峰 Jiang Feng, 冯亮 Feng Liang), not a typo (their exact pinyin counts through
    LogicV1), unless `pinyin` asks for them (when the birth date agrees). A wrong letter that
    `typo_rule` calls another name counts as two.
    """
    latin_a = [name for name in names_a if pinyin or not has_han(name)]
    latin_b = [name for name in names_b if pinyin or not has_han(name)]
    best, missing = None, False
    for a in token_sets(latin_a):
        for b in token_sets(latin_b):
            edits = _aligned_edits(a, b, typo_rule)
            if edits is None:
                continue
            key = (edits, len(a) != len(b))
            if best is None or key < (best, missing):
                best, missing = key
    return best, missing


def _romanised(token: str) -> str:
    """One spelling for romanisations of one Cyrillic name: ICAO writes Е as E, BGN and
    English usage Ye at the start of a word; Alexei is Aleksei."""
    if token.startswith("ye"):
        token = token[1:]
    return token.replace("x", "ks")


def _token_edits(a: str, b: str, typo_rule: TypoRule = TypoRule()) -> int:
    """Letter edits between two tokens, none for two romanisations of one name, one when
    they sound the same; in a short token ("Li", "Ali") any difference makes another name,
    so it counts as too many, as does one letter that `typo_rule` calls another name."""
    if a == b:
        return 0
    edits = _spelling_edits(a, b, typo_rule.min_token)
    if edits == 1 and typo_rule.another_name(a, b) and not _said_alike(a, b):
        return 2  # Vika is not Lika; Sergey and Sergei, said alike, are one name
    return edits


@lru_cache(maxsize=100_000)
def _spelling_edits(a: str, b: str, min_token: int) -> int:
    # Cached: one applicant's tokens meet the same listed tokens again and again.
    a, b = _romanised(a), _romanised(b)
    if a == b:
        return 0
    if max(len(a), len(b)) < min_token:
        return 2
    if _said_alike(a, b):
        # Spelt differently, said the same (Sergey / Sergei): as close as a typo and no
        # closer (Holdo / Holtu, Dodan / Dadan are other names as often).
        return 1
    return levenshtein(a, b)


def plausible(
    subject_sets: list[list[str]], person: ListedPerson, birth_date: datetime.date | None = None
) -> bool:
    """A cheap first look (no FtM entities): every token of the shorter of some name of the
    person and some name of the subject is close to a token of the other (Jaro-Winkler), but
    one when the shorter has four or more. Only such candidates are worth the scorers' time:
    a name sharing its given name and patronymic but not its surname is another person.
    When the full birth date agrees, a short token one letter off (Hai / Nai) is close too,
    as score counts it a typo then; two romanisations of one name (Lexei / Leksei) are close."""
    dated = bool(birth_date and birth_date.isoformat() in person.birth_dates)

    def near(token, other):
        if jaro_winkler(_romanised(token), _romanised(other)) >= NEAR_TOKEN:
            return True
        return dated and levenshtein(token, other) <= 1

    for b in token_sets(person.names, person.schema != "Person"):
        for a in subject_sets:
            shorter = min(len(a), len(b))
            needed = shorter - 1 if shorter >= 4 else shorter
            close = sum(1 for t in a if any(near(t, o) for o in b))
            if close >= needed:
                return True
    return False


def _aligned_edits(a: list[str], b: list[str], typo_rule: TypoRule) -> int | None:
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 2:
        return None
    remaining = list(long)
    total = 0

    # Closest pairs first: with a handful of tokens, greedy is as good as a full assignment.
    def edits(token, other):
        return _token_edits(token, other, typo_rule)

    for token in sorted(short, key=lambda t: min(edits(t, o) for o in remaining)):
        distances = [edits(token, other) for other in remaining]
        index = min(range(len(remaining)), key=distances.__getitem__)
        total += distances[index]
        remaining.pop(index)
        if total > 1:
            return total
    return total


def _explain(subject: Subject, person: ListedPerson, algorithm: str, features: dict) -> dict:
    """Which features matched, in words a reviewer can check (list values only, no applicant
    data: the case page shows the applicant beside it)."""
    return {
        "algorithm": algorithm,
        "matched": sorted(k for k in features if k not in QUALIFIERS),
        "against": sorted(k for k in features if k in QUALIFIERS),
        "features": features,
        "name": closest_name(subject, person),
        "birth_date": _date_relation(subject.birth_date, person.birth_dates),
        "nationality": _country_relation(subject.nationality, person.countries),
    }


def closest_name(subject: Subject, person: ListedPerson) -> str:
    """The list name sharing most tokens with the applicant's names (after transliteration)."""
    wanted = {t for name in _all_names(subject.names) for t in name_tokens(name)}
    best, best_overlap = person.caption, -1
    for name in person.names:
        tokens = {t for form in latin_forms(name) for t in name_tokens(form)}
        overlap = len(tokens & wanted)
        if overlap > best_overlap:
            best, best_overlap = name, overlap
    return best


def _date_relation(birth_date, listed_dates) -> str:
    if not birth_date or not listed_dates:
        return "unknown"
    iso = birth_date.isoformat()
    if any(iso.startswith(d) or d.startswith(iso) for d in listed_dates):
        return "same"
    if any(d[:4] == iso[:4] for d in listed_dates):
        return "same year"
    return "different"


def _country_relation(nationality: str, countries) -> str:
    if not nationality or not countries:
        return "unknown"
    return "same" if nationality.lower() in {c.lower() for c in countries} else "different"


CONFIG = ScoringConfig.defaults()


@lru_cache(maxsize=1)
def warm_up() -> bool:
    """Loads the transliteration tables and scorers once per process (a worker's first
    screening would otherwise pay for ICU and pypinyin dictionaries)."""
    probe = Subject(("王建国", "Иван Петров"), datetime.date(1970, 1, 1), "cn", "male")
    score(probe, ListedPerson("warm-up", "Wang Jianguo", ("Wang Jianguo",), ("1970",), ("cn",)))
    return True
