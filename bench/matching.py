"""Benchmark the matching engine on seeded synthetic cohorts.

    python bench/matching.py [--quick]
    python bench/matching.py --embeddings wordllama [minilm]


Each size runs in its own process so peak memory (ru_maxrss) is per size. Baselines use the
same candidate scores: greedy (best pair first) and the stable hospital-residents matching of
the PyPI package ``matching`` (Gale-Shapley, mentee-optimal). Ends with one ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

# This file is called matching.py: keep its folder off the path so that ``import matching``
# finds the PyPI stable-matching package, and put the repository root on it instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))


def greedy(
    cands: list[tuple[str, str, float]], cap: dict[str, int], wants: dict[str, int]
) -> tuple[int, float]:
    cap = dict(cap)
    wants = dict(wants)
    total, pairs = 0.0, 0
    for e, m, s in sorted(cands, key=lambda t: (-t[2], t[0], t[1])):
        if cap[m] > 0 and wants[e] > 0:
            cap[m] -= 1
            wants[e] -= 1
            total += s
            pairs += 1
    return pairs, total


def stable(cands: list[tuple[str, str, float]], cap: dict[str, int]) -> tuple[int, float]:
    from matching.games import HospitalResident

    rp: dict[str, list[str]] = {}
    hp: dict[str, list[tuple[float, str]]] = {}
    score = {}
    for e, m, s in cands:
        rp.setdefault(e, []).append(m)
        hp.setdefault(m, []).append((s, e))
        score[(e, m)] = s
    for e in rp:
        rp[e].sort(key=lambda m: (-score[(e, m)], m))
    hprefs = {m: [e for _, e in sorted(v, key=lambda t: (-t[0], t[1]))] for m, v in hp.items()}
    caps = {m: cap[m] for m in hprefs}
    # The package deep-copies its linked player objects recursively: give it a deep stack.
    import threading

    box: dict[str, object] = {}

    def run() -> None:
        game = HospitalResident.create_from_dictionaries(rp, hprefs, caps)
        box["res"] = game.solve(optimal="resident")

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 30)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    res = box["res"]  # type: ignore[assignment]
    pairs, total = 0, 0.0
    for h, rs in res.items():
        for r in rs:
            pairs += 1
            total += score[(r.name, h.name)]
    return pairs, total


def one(kind: str, n: int, m: int, baselines: bool) -> dict[str, float]:
    import logging

    from openmentor.matching.engine import solve, synthetic

    # per-round pricing statistics on stderr (the parent prints them)
    logging.basicConfig(level=logging.WARNING, format="    %(message)s", stream=sys.stderr)
    logging.getLogger("openmentor.matching.engine").setLevel(logging.DEBUG)

    t0 = time.perf_counter()
    problem = synthetic.score_problem(n, m) if kind == "scores" else synthetic.profile_problem(n, m)
    t_gen = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = solve(problem, with_candidates=baselines)
    t_solve = time.perf_counter() - t1
    o = res.objective
    out: dict[str, float] = {
        "gen_s": t_gen,
        "time_s": t_solve,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pairs": o.matched_pairs,
        "mentees_matched": o.mentees_matched,
        "score": o.total_score,
        "upper_bound": o.upper_bound,
        "gap_pct": 100 * (o.upper_bound - o.total_score) / max(o.upper_bound, 1e-9),
        "rounds": o.pricing_rounds,
    }
    for k, v in res.timings:
        out[k] = v
    if baselines and res.candidates is not None:
        cap = {p.id: p.capacity for p in problem.mentors}
        wants = {p.id: problem.wants(p) for p in problem.mentees}
        cands = list(res.candidates)
        tg = time.perf_counter()
        gp, gs = greedy(cands, cap, wants)
        out.update(greedy_pairs=gp, greedy_score=gs, greedy_s=time.perf_counter() - tg)
        ts = time.perf_counter()
        sp_, ss = stable(cands, cap)
        out.update(stable_pairs=sp_, stable_score=ss, stable_s=time.perf_counter() - ts)
        out["vs_greedy_pct"] = 100 * (o.total_score / max(gs, 1e-9) - 1)
        out["vs_stable_pct"] = 100 * (o.total_score / max(ss, 1e-9) - 1)
    for a, x in res.fairness:
        out[f"di_{a}"] = x.disparate_impact if x.disparate_impact is not None else -1
        if x.driver:
            out[f"driver_{a}"] = x.driver  # type: ignore[assignment]
    return out


def embeddings(name: str) -> dict[str, object]:
    import numpy as np
    from scipy.stats import spearmanr

    from openmentor.matching.engine import embedding, synthetic

    t0 = time.perf_counter()
    backend = embedding.WordLlamaBackend() if name == "wordllama" else embedding.MiniLMBackend()
    backend.encode(["warm up"])
    load_s = time.perf_counter() - t0
    pairs = json.loads((_HERE / "data" / "goal_offer_pairs.json").read_text())
    goals = sorted({p["goal"] for p in pairs})
    offers = sorted({p["offer"] for p in pairs})
    vec = backend.encode(goals + offers)
    gv = dict(zip(goals, vec[: len(goals)], strict=True))
    ov = dict(zip(offers, vec[len(goals) :], strict=True))
    cos = np.array([float(gv[p["goal"]] @ ov[p["offer"]]) for p in pairs])
    grade = np.array([p["relevance"] for p in pairs])
    rho = float(spearmanr(cos, grade).statistic)
    best_first = 0
    for g in goals:
        idx = [k for k, p in enumerate(pairs) if p["goal"] == g]
        top = max(idx, key=lambda k: cos[k])
        best_first += int(grade[top] == grade[idx].max())
    rng = np.random.default_rng(0)
    texts = [p.goals for p in synthetic.people(rng, 10_000, "e", False)]
    texts += [p.goals for p in synthetic.people(rng, 2_000, "m", True)]
    t1 = time.perf_counter()
    backend.encode(texts)
    enc_s = time.perf_counter() - t1
    return {
        "backend": name,
        "pairs": len(pairs),
        "spearman_rho": round(rho, 3),
        "best_first": f"{best_first}/{len(goals)}",
        "load_s": round(load_s, 2),
        "texts": len(texts),
        "encode_s": round(enc_s, 2),
        "texts_per_s": round(len(texts) / enc_s),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes only (< 60 s)")
    ap.add_argument("--one", nargs=3, metavar=("KIND", "N", "M"))
    ap.add_argument("--baselines", action="store_true")
    ap.add_argument(
        "--embeddings",
        nargs="+",
        metavar="BACKEND",
        help="measure embedding backends (wordllama, minilm) on bench/data/goal_offer_pairs.json",
    )
    args = ap.parse_args()
    if args.embeddings:
        for name in args.embeddings:
            print(json.dumps(embeddings(name)), flush=True)
        return 0
    if args.one:
        kind, n, m = args.one[0], int(args.one[1]), int(args.one[2])
        print(json.dumps(one(kind, n, m, args.baselines)))
        return 0
    sizes = [("scores", 1000, 200, True), ("profiles", 1000, 200, True)]
    if not args.quick:
        sizes = [
            ("scores", 10_000, 2_000, True),
            ("profiles", 10_000, 2_000, True),
            ("profiles", 50_000, 10_000, False),
        ]
    result: dict[str, object] = {}
    for kind, n, m, base in sizes:
        print(f"# {kind} {n} x {m} ...", flush=True)
        cmd = [sys.executable, __file__, "--one", kind, str(n), str(m)]
        if base:
            cmd.append("--baselines")
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        r["wall_s"] = time.perf_counter() - t
        tag = f"{kind}_{n}x{m}"
        print(
            f"  time {r['time_s']:.2f} s, peak {r['peak_mb']:.0f} MB, pairs {r['pairs']}, "
            f"score {r['score']:.2f}, gap to certified optimum {r['gap_pct']:.4f} %, "
            f"pricing rounds {r['rounds']}",
            flush=True,
        )
        skip = ("time_s", "gen_s", "wall_s", "greedy_s", "stable_s")
        phases = [k for k in r if k.endswith("_s") and k not in skip]
        print("  phases: " + ", ".join(f"{k[:-2]} {r[k]:.2f}" for k in phases), flush=True)
        for line in proc.stderr.splitlines():
            if line.startswith("    "):
                print(line, flush=True)
        if "greedy_score" in r:
            print(
                f"  greedy: pairs {r['greedy_pairs']}, score {r['greedy_score']:.2f} "
                f"({r['vs_greedy_pct']:+.2f} % for the exact flow); stable (matching): pairs "
                f"{r['stable_pairs']}, score {r['stable_score']:.2f} "
                f"({r['vs_stable_pct']:+.2f} %) in {r['stable_s']:.1f} s",
                flush=True,
            )
        for key in (
            "time_s",
            "peak_mb",
            "pairs",
            "score",
            "gap_pct",
            "vs_greedy_pct",
            "vs_stable_pct",
            "di_age_band",
        ):
            if key in r:
                k2 = key.replace("_pct", "_pct").replace("peak_mb", "peak_mb")
                result[f"{tag}_{k2}"] = round(float(r[key]), 4)
        if "driver_age_band" in r:
            result[f"{tag}_age_band_driver"] = r["driver_age_band"]
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
