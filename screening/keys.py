"""Blocking keys: the few index entries that let a name find its list entries fast.

Pure code: no database. A name becomes lower-case Latin tokens (after transliteration); the
keys are 63-bit hashes, small in the index and the same on PostgreSQL and SQLite:

- the exact token ("t"), used only for a one-word name (a surname alone);
- for each pair of tokens of one name, in any order (reordered names, and a missing given
  or middle name leaves the other pairs): their metaphones ("m"), so most misspellings keep
  the key; and the metaphone of one with the first two letters of the other ("b") and with
  its last two ("e"): one typo leaves one token whole and one end of the other unchanged.
- for a name of exactly two tokens, each token with one letter deleted, beside the other
  token whole ("d"; SymSpell's deletion neighbourhood): a name one letter off its listing
  shares one of them whatever the letter (replaced, dropped or doubled), and with the whole
  other token beside it the key stays rare. The "b"/"e" keys of "Cui Jlngkang" are shared
  by thousands of Cui Ji... on a large list; "d:cui|jngkang" by the one listing. Names of
  three tokens or more keep a pair of two whole tokens, which is rare enough already.

Adjacent short tokens are also joined ("jian guo" -> "jianguo"), as pinyin is written both
ways.

Organisations have keys of their own (prefixed "o", so a person never finds a company by its
keys nor the other way round), made from their names without the legal form ("Acme Trading
Co., Ltd." -> "acme trading").
"""

import hashlib
import re
from functools import lru_cache
from itertools import combinations

from rigour.names import remove_org_types
from rigour.text.phonetics import metaphone

from .transliteration import latin_forms

TOKEN = re.compile(r"[a-z0-9]+")
MAX_TOKENS = 6  # a name longer than this is a title or a list of names: its first six count
SYLLABLE = 6  # tokens up to this long are joined with their neighbour as a variant
MIN_DELETION_TOKEN = 4  # a shorter token one letter off is another name (matching.MIN_TYPO_TOKEN)
# Raised whenever entity_keys changes: a list version indexed under an older scheme lacks keys
# that queries now make (2: the deletion keys), so it must be loaded again to find them all.
KEY_SCHEME = 2


def key_hash(text: str) -> int:
    """A stable signed 64-bit integer for a key (fits a BIGINT column)."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def name_tokens(latin_name: str) -> list[str]:
    """Lower-case tokens of one Latin name, two letters or more, at most MAX_TOKENS."""
    tokens = [t for t in TOKEN.findall(latin_name.lower()) if len(t) >= 2]
    return tokens[:MAX_TOKENS]


def token_sets(names, organisation: bool = False) -> tuple[tuple[str, ...], ...]:
    """Every name of an entity or applicant as its token lists (transliterations included);
    an organisation's without its legal form (Ltd, GmbH, LLC...) unless that is all it has."""
    return _token_sets(tuple(names), organisation)


@lru_cache(maxsize=20_000)
def _token_sets(names: tuple[str, ...], organisation: bool) -> tuple[tuple[str, ...], ...]:
    # Cached: screening looks at a candidate's names three times (first look, reach, score).
    sets = []
    for name in names:
        for form in latin_forms(name):
            tokens = name_tokens(form)
            if organisation:
                tokens = name_tokens(remove_org_types(form)) or tokens
            if tokens:
                sets.append(tuple(tokens))
                joined = _joined_neighbours(tokens)
                if joined:
                    sets.append(tuple(joined))
    return tuple(sets)


def _joined_neighbours(tokens: list[str]) -> list[str] | None:
    """ "wang jian guo" -> ["wang", "jianguo"]: the last two short tokens written as one."""
    if len(tokens) < 3 or len(tokens[-1]) > SYLLABLE or len(tokens[-2]) > SYLLABLE:
        return None
    return [*tokens[:-2], tokens[-2] + tokens[-1]]


def _phonetic(token: str) -> str:
    return metaphone(token) or token


def pair_keys(tokens: list[str]) -> set[str]:
    keys = set()
    for a, b in combinations(dict.fromkeys(tokens), 2):
        pa, pb = _phonetic(a), _phonetic(b)
        keys.add("m:{}|{}".format(*sorted((pa, pb))))
        keys.update((f"b:{pa}|{b[:2]}", f"e:{pa}|{b[-2:]}", f"b:{pb}|{a[:2]}", f"e:{pb}|{a[-2:]}"))
    return keys


def deletion_keys(tokens: list[str]) -> set[str]:
    """For a two-token name, each token whole and with each one of its letters deleted,
    beside the other token whole: two names one letter apart share one of these."""
    if len(tokens) != 2 or tokens[0] == tokens[1]:
        return set()
    keys = set()
    for token, other in (tokens, tokens[::-1]):
        if len(token) < MIN_DELETION_TOKEN - 1:
            continue
        keys.add(f"d:{other}|{token}")
        if len(token) >= MIN_DELETION_TOKEN:
            keys.update(f"d:{other}|{token[:i]}{token[i + 1 :]}" for i in range(len(token)))
    return keys


def entity_keys(names, organisation: bool = False) -> set[int]:
    """The keys a list entry is indexed under."""
    keys = set()
    for tokens in token_sets(names, organisation):
        keys.update(f"t:{token}" for token in tokens)
        keys.update(pair_keys(tokens))
        if not organisation:
            keys.update(deletion_keys(tokens))
    prefix = "o" if organisation else ""
    return {key_hash(prefix + key) for key in keys}


def query_keys(names, organisation: bool = False) -> set[int]:
    """The keys to look an applicant up by: pairs when a name has two tokens or more, the
    single token for a one-word name."""
    keys = set()
    for tokens in token_sets(names, organisation):
        if len(tokens) == 1:
            keys.add(f"t:{tokens[0]}")
        else:
            keys.update(pair_keys(tokens))
            if not organisation:
                keys.update(deletion_keys(tokens))
    prefix = "o" if organisation else ""
    return {key_hash(prefix + key) for key in keys}
