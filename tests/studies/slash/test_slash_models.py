"""Unit tests for the slash study's models: parameter counts, forward shapes, estimator
construction, deterministic CNN training and weights I/O."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from dlrepro.core.determinism import configure_torch
from dlrepro.core.params import read_yaml
from dlrepro.core.torch_utils import load_weights, save_weights, trainable_parameters
from dlrepro.errors import DlreproError
from dlrepro.studies.slash import spec
from dlrepro.studies.slash.data import make_slash, stratified_split
from dlrepro.studies.slash.models import (
    CustomCNN,
    VanillaCNN,
    make_cnn,
    make_sklearn,
    stored_parameters,
)
from dlrepro.studies.slash.train import fit_sklearn, train_cnn

ROOT = Path(__file__).resolve().parents[3]
HP = read_yaml(ROOT / "params/slash.yaml")["slash"]["models"]
CPU = torch.device("cpu")


# ----------------------------------------------------------------------------- CNN sizes


def test_vanilla_cnn_has_1041_trainable_parameters():
    assert trainable_parameters(VanillaCNN(channels=10)) == 1041


def test_vanilla_cnn_parameter_formula_other_widths():
    # 9c (conv1) + 2c (BN1) + 9c^2 (conv2) + 2c (BN2) + c + 1 (dense)
    for c in (1, 4, 7):
        assert (
            trainable_parameters(VanillaCNN(channels=c))
            == 9 * c + 2 * c + 9 * c * c + 2 * c + c + 1
        )


def test_trainable_parameters_ignores_frozen_parameters():
    model = VanillaCNN(channels=10)
    model.head.weight.requires_grad_(False)
    assert trainable_parameters(model) == 1041 - 10


@pytest.mark.parametrize("filters,kernel", [(2, 4), (1, 3), (3, 5)])
def test_custom_cnn_parameter_count(filters, kernel):
    n = trainable_parameters(CustomCNN(filters=filters, kernel=kernel))
    assert n == filters * (kernel * kernel + 1) + filters + 1


def test_custom_cnn_from_params_is_within_the_posts_80_parameter_budget():
    model = make_cnn("custom_cnn", HP["custom_cnn"])
    assert isinstance(model, CustomCNN)
    assert trainable_parameters(model) <= 80
    assert trainable_parameters(model) == 37


def test_make_cnn_uses_the_hyper_parameters():
    v = make_cnn("vanilla_cnn", {**HP["vanilla_cnn"], "channels": 6})
    assert isinstance(v, VanillaCNN)
    assert v.first_layer.out_channels == 6
    c = make_cnn("custom_cnn", {**HP["custom_cnn"], "filters": 3, "kernel": 5})
    assert c.first_layer.out_channels == 3
    assert c.first_layer.kernel_size == (5, 5)
    with pytest.raises(KeyError):
        make_cnn("resnet", {})


@pytest.mark.parametrize("model", [VanillaCNN(10), CustomCNN(2, 4)], ids=["vanilla", "custom"])
@pytest.mark.parametrize("n", [1, 5])
def test_forward_shape(model, n):
    out = model(torch.rand(n, 1, 30, 30))
    assert out.shape == (n, 1)
    assert out.dtype == torch.float32


def test_first_layer_is_the_first_convolution():
    assert VanillaCNN(10).first_layer.weight.shape == (10, 1, 3, 3)
    assert CustomCNN(2, 4).first_layer.weight.shape == (2, 1, 4, 4)


def test_custom_cnn_sees_ink_not_brightness():
    # a white image (no ink) must give the same logit as a zero-ink input of the conv: 1 - x
    model = CustomCNN(2, 4)
    with torch.no_grad():
        white = model(torch.ones(1, 1, 30, 30))
        expected = model.head(model.pool(model.conv(torch.zeros(1, 1, 30, 30))))
    assert torch.equal(white, expected)


# ----------------------------------------------------------------------------- sklearn


@pytest.fixture(scope="module")
def xy():
    rng = np.random.default_rng(0)
    x = rng.random((40, 900))
    y = np.repeat([0, 1], 20)
    return x, y


def test_stored_parameters_logistic_regression(xy):
    model = make_sklearn("logistic_regression", HP["logistic_regression"], 0).fit(*xy)
    assert stored_parameters(model) == 901


@pytest.mark.parametrize("name", ["knn_default", "knn_k1"])
def test_stored_parameters_knn(xy, name):
    model = make_sklearn(name, HP[name], 0).fit(*xy)
    assert stored_parameters(model) == 40 * 900
    model = make_sklearn(name, HP[name], 0).fit(xy[0][:30], xy[1][:30])
    assert stored_parameters(model) == 30 * 900


@pytest.mark.parametrize("name", ["svm_linear", "svm_rbf", "svm_poly"])
def test_stored_parameters_svm(xy, name):
    model = make_sklearn(name, HP[name], 0).fit(*xy)
    n_sv = model.support_vectors_.shape[0]
    assert 0 < n_sv <= 40
    assert stored_parameters(model) == n_sv * 900
    assert stored_parameters(model) == int(model.n_support_.sum()) * 900


def test_stored_parameters_random_forest(xy):
    model = make_sklearn("random_forest", HP["random_forest"], 0).fit(*xy)
    assert len(model.estimators_) == 10
    # binary trees: nodes = 2 * leaves - 1 (independent of tree_.node_count)
    expected = sum(2 * est.get_n_leaves() - 1 for est in model.estimators_)
    assert stored_parameters(model) == expected
    assert stored_parameters(model) == sum(est.tree_.node_count for est in model.estimators_)


def test_stored_parameters_returns_python_int(xy):
    model = make_sklearn("svm_rbf", HP["svm_rbf"], 0).fit(*xy)
    assert type(stored_parameters(model)) is int


def test_stored_parameters_unknown_model_raises():
    from sklearn.tree import DecisionTreeClassifier

    with pytest.raises(TypeError):
        stored_parameters(DecisionTreeClassifier())


def test_params_yaml_has_hyper_parameters_for_every_model():
    assert set(HP) == set(spec.MODELS)


@pytest.mark.parametrize("name", spec.SKLEARN_MODELS)
def test_make_sklearn_passes_hyper_parameters(name):
    hp = HP[name]
    est = make_sklearn(name, hp, 1234)
    got = est.get_params()
    for key, value in hp.items():
        assert got[key] == value, f"{name}: {key}={got[key]!r}, params/slash.yaml says {value!r}"
    if "random_state" in got:
        assert got["random_state"] == 1234


def test_make_sklearn_pins_the_posts_era_defaults():
    assert make_sklearn("svm_rbf", HP["svm_rbf"], 0).get_params()["gamma"] == "auto"
    assert make_sklearn("svm_poly", HP["svm_poly"], 0).get_params()["gamma"] == "auto"
    assert make_sklearn("svm_poly", HP["svm_poly"], 0).get_params()["degree"] == 3
    assert make_sklearn("svm_linear", HP["svm_linear"], 0).get_params()["kernel"] == "linear"
    assert make_sklearn("random_forest", HP["random_forest"], 0).get_params()["n_estimators"] == 10
    lr = make_sklearn("logistic_regression", HP["logistic_regression"], 0).get_params()
    assert lr["solver"] == "liblinear"
    assert make_sklearn("knn_default", HP["knn_default"], 0).get_params()["n_neighbors"] == 5
    assert make_sklearn("knn_k1", HP["knn_k1"], 0).get_params()["n_neighbors"] == 1


def test_make_sklearn_unknown_name_raises():
    with pytest.raises(KeyError):
        make_sklearn("gradient_boosting", {}, 0)


# ----------------------------------------------------------------------------- training


@pytest.fixture(scope="module")
def split():
    x, y = make_slash(40, 30, 4, 0.25, np.random.default_rng(5))
    train, test = stratified_split(y, 20, seed=1)
    return {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test]}


def test_fit_sklearn_metrics(split):
    m = fit_sklearn("logistic_regression", HP["logistic_regression"], split, seed=3)
    assert set(m) == {"trainable_params", "train_acc", "test_acc"}
    assert m["trainable_params"] == 901
    assert 0.0 <= m["test_acc"] <= 1.0
    # 60 training images in 900 dimensions: a linear model separates them
    assert m["train_acc"] == 1.0
    knn = fit_sklearn("knn_k1", HP["knn_k1"], split, seed=3)
    assert knn["trainable_params"] == 60 * 900
    assert knn["train_acc"] == 1.0  # 1-NN memorises the training set


def _state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def _same_state(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_train_cnn_is_bit_identical_in_one_process(split):
    seed = 20180601
    configure_torch(seed, 1)
    hp = {**HP["custom_cnn"], "epochs": 2}
    m1, metrics1, hist1 = train_cnn("custom_cnn", hp, split, seed, CPU)
    m2, metrics2, hist2 = train_cnn("custom_cnn", hp, split, seed, CPU)
    assert _same_state(_state(m1), _state(m2))
    assert metrics1 == metrics2
    assert [vars(h) for h in hist1] == [vars(h) for h in hist2]
    assert metrics1["trainable_params"] == 37
    assert [h.epoch for h in hist1] == [1, 2]
    # training moved the weights away from the seeded initialisation
    torch.manual_seed(0)
    assert not _same_state(_state(m1), _state(CustomCNN(2, 4)))


def test_train_cnn_depends_on_the_seed(split):
    configure_torch(1, 1)
    hp = {**HP["custom_cnn"], "epochs": 1}
    m1, _, _ = train_cnn("custom_cnn", hp, split, 1, CPU)
    m2, _, _ = train_cnn("custom_cnn", hp, split, 2, CPU)
    assert not _same_state(_state(m1), _state(m2))


def test_train_vanilla_cnn_smoke(split):
    configure_torch(1, 1)
    hp = {**HP["vanilla_cnn"], "epochs": 1}
    model, metrics, hist = train_cnn("vanilla_cnn", hp, split, 1, CPU)
    assert isinstance(model, VanillaCNN)
    assert metrics["trainable_params"] == 1041
    assert len(hist) == 1 and np.isfinite(hist[0].loss)
    assert 0.0 <= metrics["train_acc"] <= 1.0 and 0.0 <= metrics["test_acc"] <= 1.0


# ----------------------------------------------------------------------------- weights I/O


def test_save_load_weights_round_trip(tmp_path):
    torch.manual_seed(1)
    src = VanillaCNN(10)
    # give the BN buffers non-default values so they are checked too
    src.train()
    src(torch.rand(8, 1, 30, 30))
    path = tmp_path / "w.pt"
    save_weights(path, src)
    torch.manual_seed(2)
    dst = VanillaCNN(10)
    assert not _same_state(_state(src), _state(dst))
    out = load_weights(path, dst)
    assert out is dst
    assert _same_state(_state(src), _state(dst))


def test_save_weights_bytes_repeat(tmp_path):
    torch.manual_seed(1)
    model = CustomCNN(2, 4)
    save_weights(tmp_path / "a.pt", model)
    save_weights(tmp_path / "b.pt", model)
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pt", "b.pt"]  # no temp files


def test_load_weights_garbage_bytes_raises(tmp_path):
    path = tmp_path / "w.pt"
    path.write_bytes(b"\x00\x01 definitely not a torch file \xff" * 10)
    with pytest.raises(DlreproError, match="w.pt"):
        load_weights(path, CustomCNN(2, 4))


def test_load_weights_truncated_file_raises(tmp_path):
    path = tmp_path / "w.pt"
    save_weights(path, VanillaCNN(10))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DlreproError, match="w.pt"):
        load_weights(path, VanillaCNN(10))


def test_load_weights_missing_file_raises(tmp_path):
    with pytest.raises(DlreproError, match="nope.pt"):
        load_weights(tmp_path / "nope.pt", CustomCNN(2, 4))


class _NotWeights:
    pass


def test_load_weights_refuses_pickled_objects(tmp_path):
    path = tmp_path / "w.pt"
    torch.save({"conv.weight": _NotWeights()}, path)
    with pytest.raises(DlreproError, match="w.pt"):
        load_weights(path, CustomCNN(2, 4))


def test_load_weights_other_architecture_raises(tmp_path):
    path = tmp_path / "vanilla.pt"
    save_weights(path, VanillaCNN(10))
    with pytest.raises(DlreproError, match="CustomCNN"):
        load_weights(path, CustomCNN(2, 4))


def test_load_weights_shape_mismatch_raises(tmp_path):
    path = tmp_path / "c3.pt"
    save_weights(path, CustomCNN(3, 4))
    with pytest.raises(DlreproError, match="c3.pt"):
        load_weights(path, CustomCNN(2, 4))


def test_load_weights_missing_key_raises(tmp_path):
    path = tmp_path / "partial.pt"
    state = CustomCNN(2, 4).state_dict()
    del state["head.bias"]
    torch.save(state, path)
    with pytest.raises(DlreproError, match="partial.pt"):
        load_weights(path, CustomCNN(2, 4))


def test_module_is_a_torch_module():
    # guards the parametrised forward tests above against silently testing something else
    assert isinstance(VanillaCNN(), nn.Module) and isinstance(CustomCNN(), nn.Module)


@pytest.mark.parametrize("payload", [torch.ones(3), [1, 2]], ids=["tensor", "list"])
def test_load_weights_not_a_state_dict_raises(tmp_path, payload):
    path = tmp_path / "odd.pt"
    torch.save(payload, path)
    with pytest.raises(DlreproError, match="odd.pt"):
        load_weights(path, CustomCNN(2, 4))
