"""Unit tests for the random_dilation study: the synthetic clips (time-reversal pairs, strides,
determinism), 2D -> 3D inflation (exact on static videos), temporal dilation (T kept, draws per
layer per mini-batch, seeded; eval averages over d), any number of frames, the order-free frame
MLP, and the summary over runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlrepro.core.determinism import configure_torch
from dlrepro.errors import DlreproError
from dlrepro.studies.random_dilation import data
from dlrepro.studies.random_dilation.compare import summarise
from dlrepro.studies.random_dilation.models import (
    BesNet,
    FrameMLP,
    FrameNet,
    TemporalConv,
    frame_features,
    inflate,
)

TINY = dict(width=8, bottleneck=4, stages=[1, 1])
DATA = dict(size=16, frames=8, strides=[1, 2, 3], noise=0.2, train=12, val=6, test=6)


def _trained_bn(net: torch.nn.Module) -> None:
    """Non-trivial BN statistics and affine parameters, so tests do not pass by accident."""
    g = torch.Generator().manual_seed(1)
    for m in net.modules():
        if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm3d)):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def _inflated(dilation) -> tuple[FrameNet, BesNet]:
    torch.manual_seed(0)
    net2d = FrameNet(**TINY, n_out=16)
    _trained_bn(net2d)
    net3d = BesNet(**TINY, n_classes=6, dilation=dilation)
    net3d.features.load_state_dict(inflate(net2d.features.state_dict()))
    return net2d.eval(), net3d.eval()


# --- data -----------------------------------------------------------------------------------


def test_generate_is_deterministic_balanced_and_splits_differ():
    a, b = data.generate(7, DATA), data.generate(7, DATA)
    assert set(a) == set(data.KEYS)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert a["x_train"].shape == (12, 8, 16, 16) and a["x_train"].dtype == np.uint8
    assert np.bincount(a["y_train"], minlength=6).tolist() == [2] * 6
    assert set(a["stride_train"]) <= {1, 2, 3}
    assert not np.array_equal(a["x_val"], a["x_test"])
    assert not np.array_equal(a["x_train"], data.generate(8, DATA)["x_train"])


@pytest.mark.parametrize("label", range(6))
def test_blob_is_where_the_centres_say(label):
    r = np.random.default_rng(label)
    clip, centres = data.make_clip(label, 2, 12, 16, 0.0, r)
    assert ((centres >= data.MARGIN - 1e-6) & (centres <= 16 - 1 - data.MARGIN + 1e-6)).all()
    for frame, (cx, cy) in zip(clip, centres):
        yy, xx = np.unravel_index(frame.argmax(), frame.shape)
        assert abs(xx - cx) <= 1 and abs(yy - cy) <= 1


def _pair_statistics(label: int, n: int = 400):
    """Mean (over clips) of the bag-of-frames statistic: sorted mean distance to the first
    frame's centre, which ignores order; and of an ordered one (movement in the first half)."""
    r = np.random.default_rng(100 + label)
    bags, first_half = [], []
    for _ in range(n):
        _, c = data.make_clip(label, 1, 16, 16, 0.0, r)
        bags.append(np.sort(np.linalg.norm(c - c.mean(0), axis=1)))
        first_half.append(np.linalg.norm(np.diff(c[:8], axis=0), axis=1).sum())
    return np.mean(bags, axis=0), np.mean(first_half)


def test_out_fast_and_out_slow_differ_in_order_not_in_bag_of_frames():
    bag4, half4 = _pair_statistics(4)
    bag5, half5 = _pair_statistics(5)
    np.testing.assert_allclose(bag4, bag5, atol=0.25)  # same positions visited, as a set
    assert abs(half4 - half5) > 0.5  # but moved at different times


def test_turns_are_mirror_images():
    r = np.random.default_rng(0)
    p = np.linspace(0, 1, 11)
    left = data.trajectory(2, p, r, 16)
    r = np.random.default_rng(0)
    right = data.trajectory(3, p, r, 16)

    def turn(c):  # z of the cross product of leg 1 and leg 2: its sign is the turn's side
        (ax, ay), (bx, by) = c[3] - c[0], c[-1] - c[3]
        return ax * by - ay * bx

    assert turn(left) * turn(right) < 0


def test_position_cells_cover_the_grid():
    centres = np.array([[0.1, 0.1], [15.9, 0.1], [0.1, 15.9], [15.9, 15.9], [8.0, 8.0]])
    assert data.position_cells(centres, 16).tolist() == [0, 3, 12, 15, 10]


# --- inflation --------------------------------------------------------------------------------


def test_inflate_shapes_and_scaling():
    torch.manual_seed(0)
    state = FrameNet(**TINY, n_out=16).features.state_dict()
    inflated = inflate(state)
    w = state["stages.0.conv1.weight"]
    w3 = inflated["stages.0.conv1.weight"]
    assert w3.shape == (*w.shape[:2], 3, 1, 1)
    for k in range(3):
        torch.testing.assert_close(w3[:, :, k], w / 3)
    assert inflated["stem.0.weight"].shape == (8, 1, 1, 3, 3)
    torch.testing.assert_close(
        inflated["stages.0.bn1.running_var"], state["stages.0.bn1.running_var"]
    )


@pytest.mark.parametrize("dilation", [1, 2, "random"])
def test_inflated_net_equals_2d_net_on_static_video(dilation):
    """Identical frames: replicate padding makes every time step see the same frame, so the
    3D net's per-frame features equal the 2D net's everywhere, borders included."""
    net2d, net3d = _inflated(dilation)
    frame = torch.rand(2, 1, 16, 16)
    video = frame.unsqueeze(2).expand(2, 1, 7, 16, 16).contiguous()
    with torch.no_grad():
        f2 = net2d.frame_features(frame)
        f3 = net3d.frame_features(video)
    assert f3.shape == (2, 8, 7)
    for t in range(7):
        torch.testing.assert_close(f3[:, :, t], f2, rtol=1e-4, atol=1e-5)


def test_inflated_net_differs_from_2d_net_on_moving_video():
    net2d, net3d = _inflated(1)
    video = torch.rand(1, 1, 5, 16, 16)
    with torch.no_grad():
        f3 = net3d.frame_features(video)[0, :, 2]
        f2 = net2d.frame_features(video[:, :, 2])[0]
    assert not torch.allclose(f3, f2, atol=1e-3)


# --- temporal dilation ------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(t=st.integers(1, 12), d=st.sampled_from([1, 2]))
def test_temporal_conv_keeps_t_and_uses_frames_d_apart(t, d):
    conv = TemporalConv(1, 1, d)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([1.0, 0.0, 0.0]).view(1, 1, 3, 1, 1))  # picks frame t - d
    x = torch.arange(t, dtype=torch.float32).view(1, 1, t, 1, 1)
    y = conv(x).flatten()
    assert y.shape == (t,)
    expected = torch.clamp(torch.arange(t) - d, min=0).float()  # replicate padding at the start
    torch.testing.assert_close(y, expected)


def test_random_dilation_draws_per_layer_per_batch_seeded():
    def draws(seed):
        torch.manual_seed(0)
        net = BesNet(**TINY, n_classes=6, dilation="random").train()
        net.set_generator(torch.Generator().manual_seed(seed))
        for _ in range(6):
            net(torch.rand(2, 1, 5, 16, 16))
        return [conv.drawn for conv in net.temporal_convs()]

    a = draws(3)
    assert len(a) == 4 and all(len(layer) == 6 for layer in a)  # 2 per block, 2 blocks
    assert a == draws(3) and a != draws(4)
    flat = sum(a, [])
    assert set(flat) == {1, 2}
    assert len({tuple(layer) for layer in a}) > 1  # layers draw independently


def test_random_dilation_needs_a_generator_and_a_valid_mode():
    with pytest.raises(DlreproError, match="generator"):
        TemporalConv(1, 1, "random").train()(torch.rand(1, 1, 3, 1, 1))
    with pytest.raises(DlreproError, match="mode"):
        TemporalConv(1, 1, 3)


def test_eval_averages_the_outputs_over_dilations():
    torch.manual_seed(0)
    conv = TemporalConv(2, 3, "random").eval()
    x = torch.rand(1, 2, 6, 2, 2)
    expected = (conv.at_dilation(x, 1) + conv.at_dilation(x, 2)) / 2
    torch.testing.assert_close(conv(x), expected)
    assert conv.drawn == []  # eval draws nothing


@pytest.mark.parametrize("frames", [4, 11])
def test_besnet_takes_any_number_of_frames(frames):
    _, net = _inflated("random")
    out = net(torch.rand(3, 1, frames, 16, 16))
    assert out.shape == (3, 6)


def test_head_is_temporal_max_of_spatial_mean():
    _, net = _inflated(1)
    x = torch.rand(2, 1, 6, 16, 16)
    with torch.no_grad():
        feats = net.features(x)
        torch.testing.assert_close(net(x), net.head(feats.mean(dim=(3, 4)).amax(dim=2)))


# --- frame MLP baseline ------------------------------------------------------------------------


def test_frame_mlp_ignores_frame_order():
    net2d, _ = _inflated(1)
    videos = torch.rand(3, 1, 6, 16, 16)
    feats = frame_features(net2d, videos)
    assert feats.shape == (3, 8, 6)
    torch.manual_seed(0)
    mlp = FrameMLP(8, 16, 6)
    shuffled = feats[:, :, torch.tensor([5, 2, 0, 4, 1, 3])]
    torch.testing.assert_close(mlp(feats), mlp(shuffled))
    # and the features are the 2D net's, frame by frame
    torch.testing.assert_close(feats[:, :, 4], net2d.frame_features(videos[:, :, 4]))


# --- summary ---------------------------------------------------------------------------------


def _metrics(variant, run, acc, by_stride=None):
    return {
        "variant": variant,
        "run": run,
        "test_acc": acc,
        "parameters": 10,
        "test_acc_by_stride": by_stride or {"1": acc, "3": acc / 2},
    }


def test_summarise_describes_every_run_in_run_order():
    runs = [_metrics("no_dilation", 1, 0.6), _metrics("no_dilation", 0, 0.4)]
    runs += [_metrics("frame_mlp", 1, 0.2), _metrics("frame_mlp", 0, 0.3)]
    table, summary = summarise(runs)
    nd = summary["variants"]["no_dilation"]
    assert nd["test_acc"]["runs"] == [0.4, 0.6] and nd["test_acc"]["mean"] == pytest.approx(0.5)
    assert nd["test_acc"]["sd"] == pytest.approx(np.std([0.4, 0.6], ddof=1))
    assert nd["by_stride"]["3"]["runs"] == [0.2, 0.3]
    assert nd["stride_spread"]["runs"] == pytest.approx([0.2, 0.3])
    assert nd["parameters"] == 10  # structural: one number, not described over runs
    assert summary["variants"]["frame_mlp"]["test_acc"]["runs"] == [0.3, 0.2]  # paired by run
    assert list(table["runs"]) == [2, 2] and list(table["test_top1_mean"]) == pytest.approx(
        [0.5, 0.25]
    )


def test_summarise_refuses_a_missing_run():
    runs = [_metrics("no_dilation", 0, 0.4), _metrics("no_dilation", 1, 0.6)]
    with pytest.raises(DlreproError, match="frame_mlp"):
        summarise([*runs, _metrics("frame_mlp", 0, 0.3)])


def test_orderings_are_judged_on_every_run(tmp_path):
    """The study's claims on a summary: a gap larger than the runs' noise in every run reads
    reproduced, the by-construction rows are checks (passed, never reproduced)."""
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    accs = {"frame_mlp": 0.3, "dilation2": 0.5, "no_dilation": 0.6, "random_dilation": 0.7}
    runs = [
        _metrics(v, r, a + 0.01 * r, {"1": a - 0.1 * (v != "random_dilation"), "2": a})
        for v, a in accs.items()
        for r in range(3)
    ]
    _, summary = summarise(runs)
    table = compare(load_claims(study_dir("random_dilation") / "claims.yaml"), summary)
    judged = table[table["verdict"] != "not comparable"]
    assert len(table) - len(judged) == 4  # the post's Kinetics numbers
    assert set(judged.loc[judged["kind"] == "check", "verdict"]) == {"passed"}
    assert set(judged.loc[judged["kind"] != "check", "verdict"]) == {"reproduced"}
    assert (judged["runs"] == 3).all()


def test_training_is_bit_identical_per_seed_and_draws_both_dilations():
    from dlrepro.studies.random_dilation.train import fit

    configure_torch(0, 1)
    d = data.generate(3, DATA)
    x = torch.from_numpy(d["x_train"]).unsqueeze(1).float() / 255
    y = torch.from_numpy(d["y_train"])
    training = dict(epochs=2, batch_size=4, lr=1e-3)

    def train(seed):
        torch.manual_seed(0)
        net = BesNet(**TINY, n_classes=6, dilation="random")
        net.set_generator(torch.Generator().manual_seed(seed))
        history = fit(net, x, y, x[:6], y[:6], training, 0, torch.device("cpu"), "test")
        return net, history

    (a, ha), (b, hb), (c, _) = train(1), train(1), train(2)
    assert ha == hb and len(ha) == 2 and {"loss", "train_acc", "val_acc"} <= set(ha[0])
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k]), k
    assert any(not torch.equal(v, c.state_dict()[k]) for k, v in a.state_dict().items())
    assert all(len(conv.drawn) == 6 for conv in a.temporal_convs())  # 3 batches x 2 epochs


@pytest.mark.parametrize(
    "override, key",
    [
        ("random_dilation: {data: {frames: 2}}\n", r"random_dilation\.data\.frames"),
        ("random_dilation: {runs: 0}\n", r"random_dilation\.runs"),
        ("random_dilation: {model: {stages: []}}\n", r"random_dilation\.model\.stages"),
        ("random_dilation: {training: {momentum: 0.9}}\n", r"random_dilation\.training"),
    ],
)
def test_invalid_params_are_named(tmp_path, override, key):
    from dlrepro.core.params import load_project_params
    from dlrepro.paths import ROOT

    (tmp_path / "override.yaml").write_text(override)
    with pytest.raises(DlreproError, match=key):
        load_project_params(ROOT, [tmp_path / "override.yaml"])
