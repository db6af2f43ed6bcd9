"""Generates a watchlist of N made-up persons (FtM JSON lines) and a labelled query set.

    python -m benchmarks.screening.generate --count 1000000 --out /tmp/screening-bench

Writes list.ftm.jsonl (streamed) and queries.jsonl: >= 500 variants of listed persons
(exact, reordered, one letter wrong, a given name missing, the other script: Han <-> pinyin,
Cyrillic <-> Latin), each labelled with the id it must find, and clean applicants: people
generated the same way but not listed, which must find nothing.

Drawn from the same small name pools as the list, a clean applicant often has the very name
of a listed person (two-character Chinese names from 100 surnames and 120 characters repeat
constantly among 250,000 listed Chinese persons). When that person is listed without a birth
date, or with the applicant's, a hit is what real screening must give: nothing tells the two
apart. Such applicants are labelled "name_collision" with the ids they may hit, and counted
apart; those whose namesake is listed with another birth date stay clean (they must not hit).
The name index for this labelling is the only thing held in memory (about 1M short strings).
Everything comes from random.Random(seed): a seed always gives the same files.
"""

import argparse
import collections
import json
import random
from pathlib import Path

from screening.transliteration import han_to_pinyin

GIVEN = (
    "James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia "
    "Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Maria Anna Laura Elena "
    "Sofia Lucas Hugo Louis Pierre Jean Marie Claire Luca Marco Giulia Paolo Hans Klaus "
    "Jurgen Ahmed Mohamed Omar Ali Hassan Fatima Aisha Yusuf Ibrahim Khalid Carlos Jose "
    "Juan Pedro Ana Lucia Pablo Diego Miguel Rosa Kenji Hiro Yuki Ravi Priya Arjun Anil "
    "Deepa Sanjay"
).split()
SLAVIC_GIVEN = (
    "Ivan Sergei Dmitri Alexei Nikolai Olga Natalia Irina Svetlana Yelena Pavel Oleg"
).split()
SYLLABLES = (
    "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni "
    "no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zi zo gar ber "
    "dan fel hol kin lor mar nor pel rin sel tor vin wal ash eck ing ton son man ley ford"
).split()
SLAVIC_ENDINGS = ("ov", "ev", "in", "enko", "sky", "chuk")
HAN_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤"
)
HAN_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文玉兰红梅海波宇峰辉鹏飞鑫凯晨欣悦"
    "雪琳婷颖佳慧瑞琪宏亮斌林东春晓云龙金德生荣国庆永宁安康福祥瑶萍倩蕾琦晶莉燕嘉俊杰浩然子轩"
)
LATIN_TO_CYRILLIC = {
    "shch": "щ", "sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "ts": "ц", "yu": "ю", "ya": "я",
    "ye": "е", "yo": "ё", "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з",
    "i": "и", "y": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р",
    "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "c": "к", "w": "в", "x": "кс", "j": "дж",
}  # fmt: skip
COUNTRIES = [
    "us",
    "gb",
    "fr",
    "de",
    "it",
    "es",
    "ru",
    "ua",
    "cn",
    "tw",
    "hk",
    "ir",
    "iq",
    "sy",
    "kp",
    "ae",
    "sa",
    "eg",
    "ng",
    "in",
    "pk",
    "br",
    "mx",
    "jp",
]
TOPICS = (["sanction"], ["role.pep"], ["crime"], ["sanction", "role.pep"])


def to_cyrillic(text: str) -> str:
    out, i, lower = [], 0, text.lower()
    keys = sorted(LATIN_TO_CYRILLIC, key=len, reverse=True)
    while i < len(lower):
        for key in keys:
            if lower.startswith(key, i):
                out.append(LATIN_TO_CYRILLIC[key])
                i += len(key)
                break
        else:
            out.append(lower[i])
            i += 1
    return " ".join(word.capitalize() for word in "".join(out).split(" "))


def made_up_surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4)))).capitalize()


def person(rng: random.Random, kind: str) -> dict:
    """One made-up person: display names, the Latin form queries start from, facts."""
    if kind == "han":
        surname = rng.choice(HAN_SURNAMES)
        given = "".join(rng.choice(HAN_GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        native = surname + given
        latin = han_to_pinyin(native)[0]
        names, country = [native], rng.choice(("cn", "cn", "tw", "hk"))
        if rng.random() < 0.5:
            names.append(latin)
    elif kind == "slavic":
        given = rng.choice(SLAVIC_GIVEN)
        middle = rng.choice(SLAVIC_GIVEN) + ("ovich" if rng.random() < 0.5 else "ovna")
        surname = made_up_surname(rng) + rng.choice(SLAVIC_ENDINGS)
        latin = f"{given} {middle} {surname}"
        names, country = [to_cyrillic(latin)], rng.choice(("ru", "ua", "by", "kz"))
        if rng.random() < 0.5:
            names.append(latin)
    else:
        parts = [rng.choice(GIVEN)]
        if rng.random() < 0.3:
            parts.append(rng.choice(GIVEN))
        parts.append(made_up_surname(rng))
        latin = " ".join(parts)
        names, country = [latin], rng.choice(COUNTRIES)
    birth = None
    if rng.random() < 0.85:  # lists often lack a birth date (PEPs more than sanctions)
        birth = f"{rng.randint(1940, 2002)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return {"kind": kind, "names": names, "latin": latin, "birth": birth, "country": country}


def pick_kind(rng: random.Random) -> str:
    roll = rng.random()
    return "han" if roll < 0.25 else "slavic" if roll < 0.45 else "latin"


def ftm(entity_id: str, p: dict, rng: random.Random) -> dict:
    props = {"name": p["names"][:1], "alias": p["names"][1:], "nationality": [p["country"]],
             "topics": rng.choice(TOPICS)}  # fmt: skip
    if p["birth"]:
        props["birthDate"] = [p["birth"]]
    return {"id": entity_id, "schema": "Person", "properties": props}


def one_letter_wrong(rng: random.Random, name: str) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = rng.choice(letters)
    how = rng.choice(("replace", "drop", "double"))
    if how == "replace":
        return name[:i] + rng.choice("aeioulnrst".replace(name[i].lower(), "")) + name[i + 1 :]
    if how == "drop":
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def variant(rng: random.Random, p: dict, how: str) -> tuple[str, str]:
    """The query name for one kind of variant, and that kind (a two-part name has no given
    name to leave out: its other script is asked instead)."""
    tokens = p["latin"].split()
    if how == "missing_given" and len(tokens) < 3:
        how = "other_script"
    if how == "other_script" and p["kind"] == "latin":
        how = "reordered"  # a western name in Cyrillic is spelt by ear, not by a table
    return _variant(rng, p, tokens, how), how


def _variant(rng: random.Random, p: dict, tokens: list[str], how: str) -> str:
    if how == "exact":
        return p["names"][0]
    if how == "reordered":
        return " ".join([tokens[-1], *tokens[:-1]])
    if how == "typo":
        return one_letter_wrong(rng, p["latin"])
    if how == "missing_given":
        return f"{tokens[0]} {tokens[-1]}"
    if how == "other_script":
        if p["kind"] == "han":
            return p["latin"] if p["names"][0] != p["latin"] else p["names"][0]
        return p["latin"] if p["names"][0] != p["latin"] else to_cyrillic(p["latin"])
    return p["latin"]


VARIANTS = ("exact", "reordered", "typo", "missing_given", "other_script")


def same_name(p: dict) -> str:
    """What makes two generated persons namesakes: the same Han characters, or the same
    Latin tokens in any order (a Cyrillic name by its Latin form)."""
    if p["kind"] == "han":
        return p["names"][0]
    return " ".join(sorted(p["latin"].lower().split()))


def clean_label(p: dict, birth: str, namesakes: dict) -> tuple[str, list[str] | None]:
    """("clean", None), or ("name_collision", ids) when a namesake is listed without a birth
    date or with this one: those ids are a right hit."""
    listed = namesakes.get(same_name(p), ())
    alike = [entity_id for entity_id, listed_birth in listed if listed_birth in (None, birth)]
    return ("name_collision", alike) if alike else ("clean", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--true-queries", type=int, default=600)
    parser.add_argument("--clean-queries", type=int, default=2000)
    parser.add_argument("--seed", default="screening-1")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    every = max(args.count // args.true_queries, 1)
    queries = []
    namesakes = collections.defaultdict(list)
    with open(args.out / "list.ftm.jsonl", "w") as out:
        for index in range(args.count):
            p = person(rng, pick_kind(rng))
            entity_id = f"bench-{index:07d}"
            out.write(json.dumps(ftm(entity_id, p, rng), ensure_ascii=False) + "\n")
            namesakes[same_name(p)].append((entity_id, p["birth"]))
            if index % every == 0 and len(queries) < args.true_queries:
                name, how = variant(rng, p, VARIANTS[len(queries) % len(VARIANTS)])
                birth = p["birth"] or f"{rng.randint(1940, 2002)}-06-15"
                queries.append(
                    {"name": name, "birth_date": birth, "nationality": p["country"],
                     "expect": entity_id, "variant": how}
                )  # fmt: skip
    clean_rng = random.Random(args.seed + "-clean")
    for _ in range(args.clean_queries):
        p = person(clean_rng, pick_kind(clean_rng))
        year, month = clean_rng.randint(1940, 2002), clean_rng.randint(1, 12)
        day = clean_rng.randint(1, 28)
        birth = f"{year}-{month:02d}-{day:02d}"
        label, alike = clean_label(p, birth, namesakes)
        queries.append({"name": p["names"][0], "birth_date": birth, "nationality": p["country"],
                        "expect": None, "variant": label, "may_hit": alike})  # fmt: skip
    with open(args.out / "queries.jsonl", "w") as out:
        for query in queries:
            out.write(json.dumps(query, ensure_ascii=False) + "\n")
    print(f"{args.count} persons and {len(queries)} queries in {args.out}")


if __name__ == "__main__":
    main()
