"""Steps of the adversarial study, as `dlrepro adversarial <step>` sub-commands (one per rule)."""

from __future__ import annotations

from dlrepro.core.step import IN as I, INS, OUT as O, add_step

KINDS = ("uniform", "bootstrap")


def add_steps(steps) -> None:
    def step(name, help, func, **files):
        return add_step(steps, name, help, func, **files)

    step("baseline", "train the baseline ConvNet", baseline,
         data=I, weights=O, metrics=O, history=O)
    step("attack", "FGSM adversarials of the test set on the baseline; accuracy vs eps", attack,
         data=I, weights=I, examples=O, sweep=O, metrics=O)
    step("advtrain", "adversarial training with FGSM made on the fly", advtrain,
         data=I, examples=I, weights=O, metrics=O, history=O)
    p = step("member", "train one ensemble member", member, data=I, weights=O, metrics=O)
    p.add_argument("--kind", choices=KINDS, required=True)
    p.add_argument("--member", type=int, required=True)
    step("ensemble", "mean and max ensembles of the saved members", ensemble,
         data=I, examples=I, baseline=I, members=INS, table=O, metrics=O)
    step("tsne", "t-SNE of the baseline's last hidden layer, normal and adversarial", tsne,
         data=I, examples=I, weights=I, out=O)
    step("compare", "results table, metrics.json, post-vs-ours comparison", compare,
         baseline=I, attack=I, advtrain=I, ensembles=I, claims=I, table=O, summary=O, comparison=O)
    step("figures", "samples, accuracy vs eps, ensembles vs N, t-SNE", figures,
         data=I, examples=I, sweep=I, ensembles=I, embedding=I, claims=I,
         samples=O, sweep_figure=O, ensembles_figure=O, tsne=O)


def _model(ctx):
    from dlrepro.studies.adversarial.models import ConvNet

    return ConvNet(**ctx.params["adversarial"]["model"])


def _train(ctx, device, x, y, name, **extra):
    """A fresh model trained under its own seed stream: members differ in initialisation,
    dropout masks and batch order (and, for bootstrap members, data)."""
    import torch

    from dlrepro.core.determinism import stream_seed
    from dlrepro.studies.adversarial.train import train_classifier

    seed = stream_seed(ctx.seed, "adversarial", name)
    torch.manual_seed(seed)
    model = _model(ctx)
    history = train_classifier(model, x, y, **ctx.params["adversarial"]["training"], seed=seed,
                               device=device, desc=name, **extra)
    return model, history


def _load(ctx, weights):
    from dlrepro.core.torch_utils import load_weights

    return load_weights(weights, _model(ctx)).eval()


def _acc(model, x, y) -> float:
    from dlrepro.studies.adversarial.ensemble import accuracy
    from dlrepro.studies.adversarial.train import predict_proba

    return accuracy(predict_proba(model, x).argmax(1), y.numpy())


def baseline(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.torch_utils import save_weights, setup, trainable_parameters
    from dlrepro.studies.adversarial.data import load_mnist

    device = setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"])
    model, history = _train(ctx, device, d["x_train"], d["y_train"], "baseline")
    model.cpu()
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame(history))
    io.write_json(args.metrics, {"clean_test_acc": _acc(model, d["x_test"], d["y_test"]),
                                 "train_acc": history[-1]["train_acc"],
                                 "parameters": trainable_parameters(model),
                                 "n_train": len(d["y_train"]), "n_test": len(d["y_test"])})


def attack(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.attacks import fgsm
    from dlrepro.studies.adversarial.data import load_mnist
    from dlrepro.studies.adversarial.train import predict_proba

    setup(ctx)
    p = ctx.params["adversarial"]["attack"]
    d = load_mnist(args.data, ctx.params["adversarial"]["data"])
    model = _load(ctx, args.weights)
    x, y = d["x_test"], d["y_test"]
    # no labels: like cleverhans' FGSM (the post's tool), it attacks the model's own predictions
    sweep = [{"eps": eps, "test_acc": _acc(model, fgsm(model, x, None, eps), y)}
             for eps in sorted(set(p["sweep"]) | {p["eps"]})]
    x_adv = fgsm(model, x, None, p["eps"])
    io.write_npz(args.examples, x_adv=x_adv.squeeze(1).numpy(),
                 pred_clean=predict_proba(model, x).argmax(1),
                 pred_adv=predict_proba(model, x_adv).argmax(1))
    io.write_csv(args.sweep, pd.DataFrame(sweep))
    io.write_json(args.metrics, {"eps": p["eps"], "clean_test_acc": _acc(model, x, y),
                                 "adversarial_test_acc": _acc(model, x_adv, y),
                                 "max_abs_perturbation": float((x_adv - x).abs().max())})


def advtrain(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.adversarial.attacks import fgsm
    from dlrepro.studies.adversarial.data import load_examples, load_mnist

    device = setup(ctx)
    a = ctx.params["adversarial"]
    d = load_mnist(args.data, a["data"])
    model, history = _train(ctx, device, d["x_train"], d["y_train"], "advtrain",
                            adversarial_eps=a["adversarial_training"]["eps"],
                            adversarial_weight=a["adversarial_training"]["weight"])
    model.cpu()
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame(history))
    x, y = d["x_test"], d["y_test"]
    io.write_json(args.metrics, {
        "clean_test_acc": _acc(model, x, y),
        "baseline_adversarial_test_acc": _acc(model, load_examples(args.examples, len(y)), y),
        # its own adversarials, made on it with the attack's eps (as the baseline's were)
        "own_adversarial_test_acc": _acc(model, fgsm(model, x, None, a["attack"]["eps"]), y),
    })


def member(args, ctx) -> None:
    import numpy as np
    import torch

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.adversarial.data import load_mnist
    from dlrepro.studies.adversarial.train import bootstrap_indices

    device = setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], test=False)
    x, y = d["x_train"], d["y_train"]
    name = f"member-{args.kind}-{args.member}"
    distinct = len(y)
    if args.kind == "bootstrap":  # a resample of the training set, with replacement
        idx = bootstrap_indices(len(y), stream_seed(ctx.seed, "adversarial", name, "bootstrap"))
        distinct = len(np.unique(idx))
        x, y = x[torch.from_numpy(idx)], y[torch.from_numpy(idx)]
    model, history = _train(ctx, device, x, y, name)
    save_weights(args.weights, model.cpu())
    io.write_json(args.metrics, {"kind": args.kind, "member": args.member,
                                 "distinct_training_images": int(distinct), "history": history})


def ensemble(args, ctx) -> None:
    import numpy as np

    from dlrepro.core import io
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.data import load_examples, load_mnist, member_of
    from dlrepro.studies.adversarial.evaluate import evaluate_ensembles
    from dlrepro.studies.adversarial.train import predict_proba

    setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    x, y = d["x_test"], d["y_test"].numpy()
    x_adv = load_examples(args.examples, len(y))

    def probs(weights):  # weights-only loading: members may come from a remote cache
        model = _load(ctx, weights)
        return predict_proba(model, x), predict_proba(model, x_adv)

    members = {kind: [] for kind in KINDS}
    for path in args.members:
        kind, index = member_of(path)
        members[kind].append((index, probs(path)))
    stacked = {kind: tuple(np.stack([p[i] for _, p in sorted(rows, key=lambda r: r[0])])
                           for i in (0, 1)) for kind, rows in members.items()}
    table, metrics = evaluate_ensembles(stacked, probs(args.baseline), y,
                                        ctx.params["adversarial"]["ensembles"]["sizes"])
    io.write_csv(args.table, table)
    io.write_json(args.metrics, metrics)


def tsne(args, ctx) -> None:
    import numpy as np
    from sklearn.manifold import TSNE

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.data import load_examples, load_mnist
    from dlrepro.studies.adversarial.train import hidden_features

    setup(ctx)
    p = ctx.params["adversarial"]["tsne"]
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    n = min(p["n"], len(d["y_test"]))  # a fixed subsample: the first n test images
    model = _load(ctx, args.weights)
    normal = hidden_features(model, d["x_test"][:n])
    adversarial = hidden_features(model, load_examples(args.examples, len(d["y_test"]))[:n])

    def embed(features, name):
        return TSNE(perplexity=min(p["perplexity"], (len(features) - 1) / 3), init="pca",
                    random_state=stream_seed(ctx.seed, "adversarial", "tsne", name) % 2**31
                    ).fit_transform(features).astype(np.float32)

    io.write_npz(args.out, normal=embed(normal, "normal"),
                 adversarial=embed(adversarial, "adversarial"),
                 both=embed(np.concatenate([normal, adversarial]), "both"),
                 labels=d["y_test"][:n].numpy().astype(np.int64))


def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import compare as compare_claims, load_claims
    from dlrepro.studies.adversarial.compare import results_table

    result = {"baseline": io.read_json(args.baseline), "attack": io.read_json(args.attack),
              "advtrain": io.read_json(args.advtrain), "ensembles": io.read_json(args.ensembles)}
    io.write_csv(args.table, results_table(result))
    io.write_json(args.summary, result)
    io.write_csv(args.comparison, compare_claims(load_claims(args.claims), result, ctx.params))


def figures(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import load_claims
    from dlrepro.studies.adversarial import figures as fig
    from dlrepro.studies.adversarial.data import load_mnist

    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    examples = io.read_npz(args.examples, ("x_adv", "pred_clean", "pred_adv"))
    claims = load_claims(args.claims)
    fig.samples(d["x_test"], d["y_test"], examples, ctx.params["adversarial"]["attack"]["eps"],
                args.samples)
    fig.accuracy_vs_eps(pd.read_csv(args.sweep), claims, args.sweep_figure)
    fig.ensembles(pd.read_csv(args.ensembles), claims, args.ensembles_figure)
    fig.tsne(io.read_npz(args.embedding, ("normal", "adversarial", "both", "labels")), args.tsne)
