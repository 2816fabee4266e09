"""The sweeps of bench/study_fusion.py (`--grid NAME`): each grid scores a family of study or
passage fusions over the signals computed once per query and prints one line per setting
(R@5/MRR@10 per set, per language and overall). The fifth round's are in
bench/retrieval_sweep_round5.txt."""

from __future__ import annotations

import statistics
from collections.abc import Callable

import numpy as np
from retrieval_eval import metrics
from study_fusion import (
    Signals,
    best_per_study,
    combine,
    fuse_rrf,
    line,
    norm,
    rrf,
    sorted_sims,
    table,
)

SHIPPED = {"en": {"ph": 1, "sv": 2, "sb": 2}, "id": {"ph": 1, "sv": 1, "sb": 3}}


def by_language(
    rank: Callable[[Signals, dict[str, float]], list[str]], w: dict[str, dict[str, float]]
) -> Callable[[Signals], list[str]]:
    return lambda sig: rank(sig, w[sig.guessed] if sig.guessed in w else w["id"])


def grid_basic(signals: list[Signals], sets: list[str]) -> None:
    print(line("shipped, reproduced", table(signals, by_language(fuse_rrf, SHIPPED), sets), sets))
    for name, lang_w in {
        "passage hybrid only": {"ph": 1},
        "pd only": {"pd": 1},
        "pl only": {"pl": 1},
        "sv only": {"sv": 1},
        "sb only": {"sb": 1},
    }.items():
        w = {"en": lang_w, "id": lang_w}
        print(line(name, table(signals, by_language(fuse_rrf, w), sets), sets))
    for v in ("full", "notrans", "nolabels", "raw"):
        print(
            line(f"plex {v}", table(signals, lambda s, v=v: [d for d, _ in s.plex[v]], sets), sets)
        )
        print(
            line(f"slex {v}", table(signals, lambda s, v=v: [d for d, _ in s.slex[v]], sets), sets)
        )


def sweep_lang(signals, sets, lang, configs, fuse) -> None:  # type: ignore[no-untyped-def]
    sub = [s for s in signals if s.guessed == lang]
    results = []
    for name, w in configs:
        t = table(sub, lambda s, w=w: fuse(s, w), sets)
        a = t["all"]
        results.append(((a[0] + a[1]) / 2, name, t))
    results.sort(key=lambda x: -x[0])
    print(f"--- {lang} ({len(sub)} queries): top 15 of {len(results)}")
    for _, name, t in results[:15]:
        print(line(name, t, sets))


def grid_rrf(signals: list[Signals], sets: list[str]) -> None:
    configs = []
    for ph in (0, 0.5, 1):
        for pd in (0, 0.5, 1):
            for pl in (0, 0.5, 1, 2):
                for sv in (0, 0.5, 1, 2):
                    for sb in (0, 1, 2, 3):
                        if ph + pd + pl + sv + sb == 0:
                            continue
                        w = {"ph": ph, "pd": pd, "pl": pl, "sv": sv, "sb": sb}
                        configs.append((" ".join(f"{k}={v}" for k, v in w.items()), w))
    for lang in ("en", "id"):
        sweep_lang(signals, sets, lang, configs, fuse_rrf)


grids = {"basic": grid_basic, "rrf": grid_rrf}


def grid_misses(signals: list[Signals], sets: list[str]) -> None:
    """Each relevant study the shipped ranking leaves out of its top 5: its rank by signal."""

    def rank_in(ranked: list[str], d: str) -> str:
        return str(ranked.index(d) + 1) if d in ranked else "-"

    for s in signals:
        missing = [d for d, g in s.grades.items() if g > 0 and d not in s.shipped[:5]]
        if not missing:
            continue
        print(f"\n{s.set} {s.qid} [{s.language}/{s.guessed}] top5={[d[:8] for d in s.shipped[:5]]}")
        print(f"   {s.terms[:300]}")
        sims = [d for d, _ in sorted_sims(s)]
        for d in missing:
            print(
                f"   miss {d[:8]} g{s.grades[d]} shipped {rank_in(s.shipped, d)} "
                f"ph {rank_in([x for x, _ in best_per_study(s.passage_hybrid)], d)} "
                f"pd {rank_in([x for x, _ in best_per_study(s.dense)], d)} "
                f"sv {rank_in(sims, d)} "
                + " ".join(
                    f"pl:{v} {rank_in([x for x, _ in s.plex[v]], d)} "
                    f"sb:{v} {rank_in([x for x, _ in s.slex[v]], d)}"
                    for v in s.plex
                )
            )


grids["misses"] = grid_misses


def ranked_of(ids: list[str], scores: np.ndarray, pool: int = 100) -> list[tuple[str, float]]:
    order = np.argsort(-scores, kind="stable")[:pool]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]


def lexical_scores(parts: dict[str, np.ndarray], lw: dict[str, float]) -> np.ndarray:
    own = lw["q"] * parts["q"] + lw["lab"] * parts["lab"] + lw["syn"] * parts["syn"]
    tr = lw["tr"] * parts["tr"]
    if lw.get("max"):
        return np.maximum(own, tr) + lw["max"] * np.minimum(own, tr)
    return own + tr


def fuse_parts(sig: Signals, cfg: dict) -> list[str]:
    """cfg: lw (lexical part weights: q, lab, syn, tr, optional max), fw (fusion weights: pp
    passage-level RRF of dense and lexical then best passage, pd, pl, sv, sb), k, norm (None:
    reciprocal ranks; else CombSUM of scores normalised by `norm`)."""
    lw, fw, k = cfg["lw"], cfg["fw"], cfg.get("k", 60)
    p_lex = lexical_scores(sig.parts_p, lw)
    s_lex = lexical_scores(sig.parts_s_alt[cfg["title"]] if cfg.get("title") else sig.parts_s, lw)
    docs = sig.passage_docs
    p_dense = sig.parts_p["dense"]
    parts: list[tuple[float, dict[str, float]]] = []
    if cfg.get("norm"):
        how = cfg["norm"]
        parts.append((fw.get("pl", 0), norm(best_per_study(ranked_of(docs, p_lex)), how)))
        parts.append((fw.get("pd", 0), norm(best_per_study(ranked_of(docs, p_dense)), how)))
        parts.append((fw.get("sb", 0), norm(ranked_of(sig.study_ids, s_lex), how)))
        parts.append((fw.get("sv", 0), norm(ranked_of(sig.study_ids, sig.parts_s["dense"]), how)))
        return combine(parts)
    if fw.get("pp"):
        lex_rank = ranked_of(list(range(len(docs))), p_lex)  # type: ignore[arg-type]
        den_rank = ranked_of(list(range(len(docs))), p_dense)  # type: ignore[arg-type]
        pscore: dict[int, float] = {}
        for ranked, w in ((lex_rank, fw.get("ppl", 1.0)), (den_rank, fw.get("ppd", 1.0))):
            for r, (i, _) in enumerate(ranked, start=1):
                pscore[i] = pscore.get(i, 0.0) + w / (k + r)  # type: ignore[index]
        if "concept" in sig.parts_p:
            for i in pscore:
                pscore[i] += 0.5 / 61 * float(sig.parts_p["concept"][i])
        best = best_per_study(
            sorted(((docs[i], v) for i, v in pscore.items()), key=lambda x: -x[1])
        )
        parts.append((fw["pp"], dict(best)))
    parts.append((fw.get("pl", 0), rrf(best_per_study(ranked_of(docs, p_lex)), k)))
    parts.append((fw.get("pd", 0), rrf(best_per_study(ranked_of(docs, p_dense)), k)))
    parts.append((fw.get("sb", 0), rrf(ranked_of(sig.study_ids, s_lex), k)))
    parts.append((fw.get("sv", 0), rrf(ranked_of(sig.study_ids, sig.parts_s["dense"]), k)))
    return combine(parts)


LW_SHIPPED = {"q": 1, "lab": 1, "syn": 1, "tr": 1}
FW_SHIPPED = {"en": {"pp": 1, "sv": 2, "sb": 2}, "id": {"pp": 1, "sv": 1, "sb": 3}}


def sweep_cfgs(signals, sets, configs, top=12) -> None:  # type: ignore[no-untyped-def]
    for lang in ("en", "id"):
        sub = [s for s in signals if s.guessed == lang]
        results = []
        for name, cfg in configs(lang):
            t = table(sub, lambda s, cfg=cfg: fuse_parts(s, cfg), sets)
            a = t["all"]
            results.append(((a[0] + a[1]) / 2, name, t))
        results.sort(key=lambda x: -x[0])
        print(f"--- {lang} ({len(sub)} queries): top {top} of {len(results)}")
        for _, name, t in results[:top]:
            print(line(name, t, sets))
        ref = [r for r in results if r[1].startswith("SHIPPED")]
        for _, name, t in ref:
            print(line(name, t, sets))


def grid_lex(signals: list[Signals], sets: list[str]) -> None:
    def configs(lang):  # type: ignore[no-untyped-def]
        out = [("SHIPPED", {"lw": LW_SHIPPED, "fw": FW_SHIPPED[lang]})]
        for lab in (0, 0.25, 0.5, 1):
            for syn in (0.5, 1):
                for tr in (0, 0.25, 0.5, 1, 1.5):
                    for mx in (0, 0.25):
                        lw = {"q": 1, "lab": lab, "syn": syn, "tr": tr, "max": mx}
                        for fname, fw in (
                            ("sb", {"sb": 1}),
                            ("pl", {"pl": 1}),
                            ("shipfw", FW_SHIPPED[lang]),
                        ):
                            out.append(
                                (
                                    f"{fname} lab={lab} syn={syn} tr={tr} max={mx}",
                                    {"lw": lw, "fw": fw},
                                )
                            )
        return out

    sweep_cfgs(signals, sets, configs, top=25)


grids["lex"] = grid_lex


def grid_repro(signals: list[Signals], sets: list[str]) -> None:
    cfg = {lang: {"lw": LW_SHIPPED, "fw": FW_SHIPPED[lang]} for lang in ("en", "id")}
    print(
        line(
            "parts, shipped weights",
            table(signals, lambda s: fuse_parts(s, cfg[s.guessed]), sets),
            sets,
        )
    )
    diff = sum(fuse_parts(s, cfg[s.guessed])[:5] != s.shipped[:5] for s in signals)
    print("queries whose top 5 differ:", diff, "of", len(signals))


grids["repro"] = grid_repro


LW_NEW = {
    "en": {"q": 1, "lab": 0.25, "syn": 1, "tr": 1.0},
    "id": {"q": 1, "lab": 0.25, "syn": 1, "tr": 0.5},
}


def grid_fusion(signals: list[Signals], sets: list[str]) -> None:
    def configs(lang):  # type: ignore[no-untyped-def]
        out = [
            ("SHIPPED", {"lw": LW_SHIPPED, "fw": FW_SHIPPED[lang]}),
            ("SHIPPED fw, new lw", {"lw": LW_NEW[lang], "fw": FW_SHIPPED[lang]}),
        ]
        for pp in (0, 0.5, 1):
            for ppd in (1.0, 0.5) if pp else (1.0,):
                for pl in (0, 0.5, 1):
                    for pd in (0, 0.5):
                        for sv in (0, 0.5, 1, 2):
                            for sb in (0, 1, 2, 3):
                                fw = {"pp": pp, "ppd": ppd, "pl": pl, "pd": pd, "sv": sv, "sb": sb}
                                if pp + pl + pd + sv + sb == 0:
                                    continue
                                name = " ".join(f"{k}={v}" for k, v in fw.items())
                                out.append((name, {"lw": LW_NEW[lang], "fw": fw}))
        for how in ("max", "minmax", "z"):
            for pl in (0, 0.5, 1):
                for pd in (0, 0.5):
                    for sv in (0, 0.25, 0.5, 1):
                        for sb in (0, 0.5, 1, 2):
                            fw = {"pl": pl, "pd": pd, "sv": sv, "sb": sb}
                            if pl + pd + sv + sb == 0:
                                continue
                            name = f"combsum-{how} " + " ".join(f"{k}={v}" for k, v in fw.items())
                            out.append((name, {"lw": LW_NEW[lang], "fw": fw, "norm": how}))
        return out

    sweep_cfgs(signals, sets, configs, top=20)


grids["fusion"] = grid_fusion


def grid_pick(signals: list[Signals], sets: list[str]) -> None:
    """Candidate settings shared by both languages, on all queries."""
    cands = {
        "SHIPPED": lambda lang: {"lw": LW_SHIPPED, "fw": FW_SHIPPED[lang]},
        "SHIPPED fw, new lw": lambda lang: {"lw": LW_NEW[lang], "fw": FW_SHIPPED[lang]},
    }
    for how in ("minmax", "max", "z"):
        for pl, pd, sv, sb in [
            (1, 0, 1, 1),
            (1, 0, 0.5, 1),
            (1, 0, 1, 0.5),
            (1, 0, 0.5, 0.5),
            (1, 0.5, 1, 1),
            (0.5, 0, 1, 1),
            (1, 0, 0.75, 0.75),
            (1, 0, 1, 2),
            (0, 0, 1, 1),
            (1, 0, 0, 1),
            (1, 0, 1, 0),
        ]:
            fw = {"pl": pl, "pd": pd, "sv": sv, "sb": sb}
            cands[f"combsum-{how} pl={pl} pd={pd} sv={sv} sb={sb}"] = lambda lang, fw=fw, how=how: {
                "lw": LW_NEW[lang],
                "fw": fw,
                "norm": how,
            }
    for name, make in cands.items():
        cfg = {lang: make(lang) for lang in ("en", "id")}
        print(
            line(name, table(signals, lambda s, cfg=cfg: fuse_parts(s, cfg[s.guessed]), sets), sets)
        )


grids["pick"] = grid_pick


def passage_rank(sig: Signals, cfg: dict) -> list[int]:
    """Passage positions, best first: RRF (or min-max CombSUM with norm) of dense and lexical."""
    lw, fd, fl = cfg["lw"], cfg["fd"], cfg["fl"]
    n = len(sig.passage_docs)
    lex = ranked_of(list(range(n)), lexical_scores(sig.parts_p, lw))  # type: ignore[arg-type]
    den = ranked_of(list(range(n)), sig.parts_p["dense"])  # type: ignore[arg-type]
    score: dict[int, float] = {}
    for ranked, w in ((den, fd), (lex, fl)):
        shares = (
            min_max_list([v for _, v in ranked])
            if cfg.get("norm")
            else [1 / (60 + r) for r in range(1, len(ranked) + 1)]
        )
        for (i, _), sh in zip(ranked, shares, strict=True):
            score[i] = score.get(i, 0.0) + w * sh  # type: ignore[index]
    bonus = cfg.get("concept", 0.5 / 61)
    for i in score:
        score[i] += bonus * float(sig.parts_p["concept"][i])
    return [i for i, _ in sorted(score.items(), key=lambda x: -x[1])]


def min_max_list(v: list[float]) -> list[float]:
    if not v:
        return []
    lo, hi = min(v), max(v)
    return [1.0] * len(v) if hi <= lo else [(x - lo) / (hi - lo) for x in v]


def print_passage_candidates(
    cands: list[tuple[str, dict, dict]], signals: list[Signals], sets: list[str]
) -> None:
    """One line per candidate passage fusion: R@5/MRR@10 per set, language and overall."""
    for name, lws, c in cands:
        groups: dict[str, list[tuple[float, float]]] = {}
        for sig in signals:
            cfg = {"lw": lws[sig.guessed], **c}
            m = metrics(passage_rank(sig, cfg), sig.passage_grades)
            for key in (sig.set, f"all/{sig.language}", "all"):
                groups.setdefault(key, []).append((m[0], m[2]))
        t = {
            k: (statistics.mean(a for a, _ in v), statistics.mean(b for _, b in v))
            for k, v in groups.items()
        }
        print(line(name, t, sets))


def grid_passage(signals: list[Signals], sets: list[str]) -> None:
    cands = []
    for lwname, lws in (
        ("old lw", {"en": LW_SHIPPED, "id": LW_SHIPPED}),
        ("new lw", LW_NEW),
        ("lab.25 tr1", {"en": LW_NEW["en"], "id": {**LW_NEW["id"], "tr": 1.0}}),
        ("lab1 tr.5id", {"en": LW_SHIPPED, "id": {**LW_SHIPPED, "tr": 0.5}}),
    ):
        for norm_ in (False, True):
            for fd in (0.5, 0.75, 1.0):
                for fl in (1.0, 1.5, 2.0):
                    cands.append(
                        (
                            f"{lwname} {'combsum' if norm_ else 'rrf'} fd={fd} fl={fl}",
                            lws,
                            {"fd": fd, "fl": fl, "norm": norm_},
                        )
                    )
    print_passage_candidates(cands, signals, sets)


grids["passage"] = grid_passage


def grid_passage2(signals: list[Signals], sets: list[str]) -> None:
    cands = [
        (
            "old lw rrf fd=1 fl=1 (shipped)",
            {"en": LW_SHIPPED, "id": LW_SHIPPED},
            {"fd": 1.0, "fl": 1.0},
        )
    ]
    for fd in (0.1, 0.15, 0.2, 0.25, 0.33, 0.5):
        for concept in (0.0, 0.05, 0.1, 0.25):
            cands.append(
                (
                    f"new lw combsum fd={fd} fl=1 concept={concept}",
                    LW_NEW,
                    {"fd": fd, "fl": 1.0, "norm": True, "concept": concept},
                )
            )
    print_passage_candidates(cands, signals, sets)


grids["passage2"] = grid_passage2


def grid_title(signals: list[Signals], sets: list[str]) -> None:
    """The whole-study BM25 with its title written 1, 2 or 3 times, at the shipped CombSUM."""
    for title in (None, 2, 3):
        for sb in (1.0, 1.5):
            cfg = {
                lang: {
                    "lw": LW_NEW[lang],
                    "fw": {"pl": 1, "sv": 1, "sb": sb},
                    "norm": "minmax",
                    "title": title,
                }
                for lang in ("en", "id")
            }
            t = table(signals, lambda s, cfg=cfg: fuse_parts(s, cfg[s.guessed]), sets)
            print(line(f"title x{title or 1} sb={sb}", t, sets))
    for title in (None, 2, 3):
        cfg = {lang: {"lw": LW_NEW[lang], "fw": {"sb": 1}, "title": title} for lang in ("en", "id")}
        t = table(signals, lambda s, cfg=cfg: fuse_parts(s, cfg[s.guessed]), sets)
        print(line(f"study bm25 alone, title x{title or 1}", t, sets))


grids["title"] = grid_title


def grid_lex2(signals: list[Signals], sets: list[str]) -> None:
    """Lexical part weights under the shipped CombSUM (1/1/1, min-max)."""
    for lab in (0.0, 0.25, 0.5):
        for tr_id in (0.25, 0.5, 0.75):
            for tr_en in (0.75, 1.0, 1.5):
                for mx in (0, 0.5):
                    cfg = {
                        lang: {
                            "lw": {
                                "q": 1,
                                "lab": lab,
                                "syn": 1,
                                "tr": tr_en if lang == "en" else tr_id,
                                "max": mx,
                            },
                            "fw": {"pl": 1, "sv": 1, "sb": 1},
                            "norm": "minmax",
                        }
                        for lang in ("en", "id")
                    }
                    t = table(signals, lambda s, cfg=cfg: fuse_parts(s, cfg[s.guessed]), sets)
                    print(line(f"lab={lab} tr id={tr_id} en={tr_en} max={mx}", t, sets))


grids["lex2"] = grid_lex2
