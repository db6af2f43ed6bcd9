"""Names in any script to Latin letters, so that 王建国, Иван and their Latin forms meet.

Pure code: no database. Han is read with pypinyin (surname first, the given name as one word,
as Chinese passports spell it); every other script goes through ICU's transliteration
(normality.ascii_text). Both the applicant's names and the list's names pass through here
before blocking and scoring, so a list in Han meets a Latin applicant and the other way round.
"""

import re
import unicodedata
from functools import lru_cache

from normality import ascii_text
from pypinyin import Style, lazy_pinyin

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")
LATIN_ONLY = re.compile(r"^[\x00-\x7f]*$")
# Two-character surnames: the given name starts after them.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 "  # noqa: SIM905
    "西门 百里 呼延 澹台 公冶 太史 申屠 闻人 钟离 宗政 濮阳 淳于 单于".split()
)
# Characters read differently as a surname than in ordinary words.
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
    "查": "zha", "盖": "ge", "乐": "yue", "缪": "miao", "覃": "qin", "翟": "zhai",
    "召": "shao", "员": "yun", "尉": "yu", "秘": "bi", "黑": "he", "万": "wan",
}  # fmt: skip


CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Cyrillic as passports spell it in Latin (the ICAO 9303 / BGN style: Ч ch, Ш sh, Ж zh),
# which ICU's scholarly table does not (it gives č, š, ž, which lose their h once unaccented).
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i",
    "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip


def cyrillic_to_latin(name: str) -> str:
    """ "Алексей Лиричук" -> "Aleksey Lirichuk"."""
    letters = []
    for char in name:
        latin = CYRILLIC_TO_LATIN.get(char.lower())
        if latin is None:
            letters.append(char)
        else:
            letters.append(latin.capitalize() if char.isupper() else latin)
    return "".join(letters)


def has_han(text: str) -> bool:
    return bool(HAN.search(text or ""))


def _syllables(text: str) -> list[str]:
    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s.strip()]


def han_to_pinyin(name: str) -> list[str]:
    """Latin forms of a Han name: "王建国" -> ["Wang Jianguo"]; a name that is not all Han
    (a Latin part mixed in) is read syllable by syllable."""
    han = "".join(HAN.findall(name))
    if not han:
        return []
    if len(han) != len(re.sub(r"\s+", "", name)) or len(han) > 4:
        return [" ".join(_syllables(name)).title()]
    surname_length = 2 if han[:2] in COMPOUND_SURNAMES and len(han) > 2 else 1
    surname_chars, given_chars = han[:surname_length], han[surname_length:]
    if surname_length == 1 and surname_chars in SURNAME_READINGS:
        surname = SURNAME_READINGS[surname_chars]
    else:
        surname = "".join(_syllables(surname_chars))
    given = "".join(_syllables(given_chars))
    return [f"{surname} {given}".strip().title()]


@lru_cache(maxsize=20_000)
def latin_forms(name: str) -> tuple[str, ...]:
    """The Latin spellings to compare `name` by: itself when it is already plain Latin, its
    pinyin when it has Han, its ICU transliteration otherwise (accents removed)."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        return ()
    forms = []
    if has_han(name):
        forms.extend(han_to_pinyin(name))
    else:
        if CYRILLIC.search(name):
            forms.append(" ".join(ascii_text(cyrillic_to_latin(name)).split()))
        latin = ascii_text(name) or ""
        latin = " ".join(latin.split())
        if latin:
            forms.append(latin)
    if LATIN_ONLY.match(name) and name not in forms:
        forms.insert(0, name)
    return tuple(dict.fromkeys(forms))
