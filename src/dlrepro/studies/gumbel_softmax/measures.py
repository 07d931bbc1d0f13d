"""One run's measurements of the relaxation and the gradient estimators: a categorical with
logits ~ N(0, logit_sd^2) and a loss target t ~ Dirichlet(1, ..., 1), both drawn per run; the same
Gumbel draws at every temperature (common random numbers), so differences between temperatures
are not Monte Carlo noise."""

from __future__ import annotations

import numpy as np

from dlrepro.studies.gumbel_softmax import gradients as gr
from dlrepro.studies.gumbel_softmax import relaxation as rx


def measure_run(rng: np.random.Generator, p: dict) -> dict:
    k, draws, taus = p["categories"], p["draws"], sorted(p["taus"])
    logits = rng.normal(0.0, p["logit_sd"], size=k)
    t = rng.dirichlet(np.ones(k))
    g = rx.gumbel(rng, (draws, k))
    probs = rx.probabilities(logits)
    exact = gr.exact_gradient(logits, t)
    sf = gr.estimator_stats(gr.score_function(logits, t, g, baseline=False), exact)
    sf_b = gr.estimator_stats(gr.score_function(logits, t, g, baseline=True), exact)
    per_tau, violation = {}, 0.0
    for tau in taus:
        z = rx.gumbel_softmax(logits, g, tau)
        violation = max(violation, rx.simplex_violation(z))
        gs = gr.estimator_stats(gr.gumbel_softmax_gradient(logits, t, g, tau), exact)
        st = gr.estimator_stats(gr.straight_through_gradient(logits, t, g, tau), exact)
        per_tau[rx.tau_key(tau)] = {
            "tau": tau,
            "max_component": rx.mean_max_component(z),
            **rx.expectation_distances(z, probs),
            "gumbel_softmax": gs,
            "straight_through": st,
            "gs_over_sf_variance": gs["variance"] / sf["variance"],
            "gs_over_sf_baseline_variance": gs["variance"] / sf_b["variance"],
            "st_over_sf_variance": st["variance"] / sf["variance"],
        }
    # the argmax of every relaxed sample is argmax(logits + g): test it at the lowest temperature,
    # where the sample is nearest one-hot and rounding is likeliest to matter
    z_low = rx.gumbel_softmax(logits, g, taus[0])
    return {
        "categories": k,
        "draws": draws,
        "probs": [float(x) for x in probs],
        "simplex_violation": violation,
        "argmax": {
            **rx.argmax_fit(z_low, probs),
            "agrees_with_gumbel_max": float(np.mean(z_low.argmax(-1) == (logits + g).argmax(-1))),
        },
        "exact_gradient_norm": float(np.linalg.norm(exact)),
        "score_function": sf,
        "score_function_baseline": sf_b,
        "tau": per_tau,
    }
