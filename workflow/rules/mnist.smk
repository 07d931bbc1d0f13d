# MNIST, shared by every MNIST study: the four IDX files (mirror or URL, sha256-verified) ->
# one dataset artifact with the standard 60,000 / 10,000 split. Studies take subsets in params.
from dlrepro.data.fetch import REGISTRY

MNIST_PARTS = ["train_images", "train_labels", "test_images", "test_labels"]
MNIST_RAW = {part: f"data/raw/{REGISTRY[f'mnist_{part}'].relpath}" for part in MNIST_PARTS}
MNIST = "data/processed/mnist/mnist.npz"


rule mnist_fetch:
    input:
        code=code("data/fetch.py", "data/cli_steps.py"),
    output:
        raw="data/raw/mnist/{file}",
        prov=provenance("mnist", "fetch_{file}"),
    wildcard_constraints:
        file="|".join(p.split("/")[-1].replace(".", r"\.") for p in MNIST_RAW.values()),
    params:
        name=lambda w: next(f"mnist_{part}" for part, path in MNIST_RAW.items() if path.endswith(w.file)),
    shell:
        "{DLREPRO} --provenance {output.prov} fetch --name {params.name} --out {output.raw}"


rule mnist_prepare:
    input:
        **MNIST_RAW,
        code=code("data/mnist.py", "data/cli_steps.py"),
    output:
        data=MNIST,
        prov=provenance("mnist", "prepare"),
    shell:
        "{DLREPRO} --provenance {output.prov} mnist --train-images {input.train_images}"
        " --train-labels {input.train_labels} --test-images {input.test_images}"
        " --test-labels {input.test_labels} --out {output.data}"
