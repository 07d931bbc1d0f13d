"""Steps of the memorization study, as `dlrepro memorization <step>` sub-commands."""

from __future__ import annotations

from dlrepro.core.step import IN as I, INS, OUT as O, add_step


def add_steps(steps) -> None:
    def step(name, help, func, **files):
        return add_step(steps, name, help, func, **files)

    p = step("fit", "train the MLP on one corrupted training set until it is fit (or the epoch "
             "budget ends)", fit, data=I, metrics=O)
    p.add_argument("--run", required=True, help="labels_<percent> or gaussian_pixels")
    step("compare", "table, metrics.json, post-vs-ours comparison", compare,
         runs=INS, claims=I, table=O, summary=O, comparison=O)
    step("figures", "accuracy and epochs to fit vs corruption; learning curves", figures,
         runs=INS, accuracy=O, curves=O)


def fit(args, ctx) -> None:
    import torch

    from dlrepro.core import io
    from dlrepro.core.determinism import rng, stream_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.data import load_mnist
    from dlrepro.studies.adversarial.ensemble import accuracy
    from dlrepro.studies.adversarial.train import predict_proba, train_classifier
    from dlrepro.studies.memorization.data import corrupt_labels, gaussian_pixels, percent_of
    from dlrepro.studies.selu.models import fully_connected

    device = setup(ctx)
    p = ctx.params["memorization"]
    d = load_mnist(args.data, p["data"])
    x, y = d["x_train"], d["y_train"].numpy()
    percent = percent_of(args.run)
    replaced = 0
    if percent is None:  # random pixels, the real labels (now unrelated to the images)
        x = gaussian_pixels(x, rng(ctx.seed, "memorization", "pixels"))
    else:  # one named stream per level: adding a level never changes another's labels
        y, mask = corrupt_labels(y, percent / 100, rng(ctx.seed, "memorization", "labels", str(percent)))
        replaced = int(mask.sum())
    y = torch.from_numpy(y)
    # the same network, initialisation and batch order for every run: only the data differ
    seed = stream_seed(ctx.seed, "memorization", "train")
    torch.manual_seed(seed)
    m = p["model"]
    model = fully_connected(784, m["depth"], m["width"], "relu", out_features=10)
    curve = []

    def on_epoch(epoch, model):
        """Accuracy on the (corrupted) training set at the epoch's end, eval mode; stop once it
        reaches the threshold."""
        fit_acc = accuracy(predict_proba(model, x).argmax(1), y.numpy())
        test_acc = accuracy(predict_proba(model, d["x_test"]).argmax(1), d["y_test"].numpy())
        curve.append({"epoch": epoch, "train_acc": fit_acc, "test_acc": test_acc})
        return fit_acc >= p["fit_threshold"]

    history = train_classifier(model, x, y, **p["training"], seed=seed, device=device,
                               desc=f"memorization-{args.run}", on_epoch=on_epoch)
    for row, point in zip(history, curve):
        row.update(running_train_acc=row.pop("train_acc"), **point)
    last = curve[-1]
    io.write_json(args.metrics, {
        "run": args.run, "corrupted_percent": percent, "replaced_labels": replaced,
        "n_train": len(y), "n_test": len(d["y_test"]),
        "fitted": last["train_acc"] >= p["fit_threshold"],
        # epochs to reach the threshold; None when the budget ran out first
        "epochs_to_fit": last["epoch"] if last["train_acc"] >= p["fit_threshold"] else None,
        "epochs_run": last["epoch"], "train_acc": last["train_acc"], "test_acc": last["test_acc"],
        "history": history})


def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.memorization.summary import results_table, summarise

    result = summarise([io.read_json(path) for path in args.runs], ctx.params["memorization"])
    write_results(args, result, results_table(result), ctx.params)


def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.memorization import figures as fig

    runs = [io.read_json(path) for path in args.runs]
    fig.accuracy_vs_corruption(runs, args.accuracy)
    fig.learning_curves(runs, args.curves)
