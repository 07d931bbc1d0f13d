"""The predictive-policing feedback loop (fast.ai lesson 1, ../shared/posts/004_*.txt).

Every district has the same true crime rate. Each period the officers are placed, crimes
happen, and a crime is recorded (an arrest) only if an officer present detects it. The next
period's officers are placed by a policy that reads one of two signals:

- ``arrests``: the recorded arrests of the last period (what the model in the lesson measures);
- ``crime``: the crimes themselves (what one actually wants to measure, e.g. victim surveys);
- ``arrests_explore``: arrests, but a fraction of the officers is always spread uniformly.

Officers are whole people: each one goes to a district drawn with probability proportional to
the signal (a multinomial draw). A district left with no officers records no arrests and so,
under the ``arrests`` policy, never gets officers back: the loop can only concentrate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlrepro.core.determinism import stream_seed
from dlrepro.core.repeats import describe
from dlrepro.errors import DlreproError

POLICIES = ("arrests", "arrests_explore", "crime")
# last-period quantities per policy, in table order
FINALS = (
    "districts_policed",
    "top_district_share",
    "officer_gini",
    "arrest_gini",
    "crime_gini",
    "crime_recorded_share",
)


@dataclass(frozen=True)
class City:
    districts: int
    officers: int
    crime_rate: float  # expected crimes per district per period, the same everywhere
    detection: float  # probability that one officer present records a given crime
    explore: float  # share of officers placed uniformly under `arrests_explore`


def _allocate(rng: np.random.Generator, signal: np.ndarray, city: City, policy: str) -> np.ndarray:
    # a period that recorded nothing anywhere carries no information: spread uniformly
    share = (
        signal / signal.sum() if signal.sum() > 0 else np.full(city.districts, 1 / city.districts)
    )
    if policy == "arrests_explore":
        share = city.explore / city.districts + (1 - city.explore) * share
    return rng.multinomial(city.officers, share)


def simulate(city: City, policy: str, periods: int, seed: int) -> dict[str, np.ndarray]:
    """One run from a uniform start: officers, crimes and arrests per period and district."""
    if policy not in POLICIES:
        raise DlreproError(
            f"feedback_loop: unknown policy {policy!r} (one of {', '.join(POLICIES)})"
        )
    rng = np.random.default_rng(seed)
    officers = np.zeros((periods, city.districts), dtype=np.int64)
    crimes = np.zeros_like(officers)
    arrests = np.zeros_like(officers)
    signal = np.ones(city.districts)  # period 0: nothing recorded yet, officers spread uniformly
    for t in range(periods):
        officers[t] = _allocate(rng, signal, city, policy)
        crimes[t] = rng.poisson(city.crime_rate, city.districts)
        # each present officer independently may record each crime
        caught = 1.0 - (1.0 - city.detection) ** officers[t]
        arrests[t] = rng.binomial(crimes[t], caught)
        signal = crimes[t] if policy == "crime" else arrests[t]
    return {"officers": officers, "crimes": crimes, "arrests": arrests}


def gini(x: np.ndarray) -> np.ndarray:
    """Gini coefficient along the last axis (0: equal shares, (n-1)/n: all in one place)."""
    x = np.sort(np.asarray(x, dtype=float), axis=-1)
    n = x.shape[-1]
    total = x.sum(axis=-1)
    index = np.arange(1, n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = (2 * (index * x).sum(axis=-1) / (n * total)) - (n + 1) / n
    return np.where(total > 0, g, 0.0)


def run_all(city: City, periods: int, replicates: int, seed: int) -> dict[str, np.ndarray]:
    """Every policy x replicate; each replicate has its own named random stream."""
    out = {}
    for policy in POLICIES:
        runs = [
            simulate(city, policy, periods, stream_seed(seed, "feedback_loop", policy, str(r)))
            for r in range(replicates)
        ]
        for key in ("officers", "crimes", "arrests"):
            out[f"{policy}/{key}"] = np.stack(
                [r[key] for r in runs]
            )  # [replicate, period, district]
    return out


def summarise(runs: dict[str, np.ndarray], city: City) -> dict:
    """Per policy, at the last period: districts with officers, top-district share, Gini of
    officers, of recorded arrests and of crimes, and the share of crimes recorded, each
    described over the replicates (mean, sd, min, max, and every replicate's value in `runs`,
    so that claims are judged with the replicates' spread); and the districts policed and Gini
    of officers over time (mean of replicates)."""
    summary = {}
    for policy in POLICIES:
        officers = runs[f"{policy}/officers"]
        arrests = runs[f"{policy}/arrests"]
        crimes = runs[f"{policy}/crimes"]
        policed = (officers > 0).sum(axis=-1)  # [replicate, period]
        g = gini(officers)
        final = {
            "districts_policed": policed[:, -1],
            "top_district_share": officers[:, -1].max(axis=-1) / city.officers,
            "officer_gini": g[:, -1],
            "arrest_gini": gini(arrests[:, -1]),
            "crime_gini": gini(crimes[:, -1]),
            "crime_recorded_share": arrests[:, -1].sum(-1) / crimes[:, -1].sum(-1),
        }
        summary[policy] = {
            **{f"final_{k}": describe(v.tolist()) for k, v in final.items()},
            "policed_over_time": policed.mean(axis=0).tolist(),
            "gini_over_time": g.mean(axis=0).tolist(),
        }
    return summary


def policy_table(policies: dict, replicates: int) -> list[dict]:
    """One row per policy: each last-period quantity as its mean and sd over the replicates."""
    return [
        {
            "policy": policy,
            "replicates": replicates,
            # in `summarise`'s order (metrics.json, read back, has its keys sorted)
            **{
                f"final_{k}_{stat}": s[f"final_{k}"][stat]
                for k in FINALS
                for stat in ("mean", "sd")
            },
            "final_districts_policed_min": int(s["final_districts_policed"]["min"]),
            "final_districts_policed_max": int(s["final_districts_policed"]["max"]),
        }
        for policy, s in policies.items()
    ]
