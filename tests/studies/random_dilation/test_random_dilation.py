"""Unit tests for the random_dilation study: the synthetic clips (time-reversal pairs, static
context objects, strides, determinism), 2D -> 3D inflation (exact on static videos), temporal
dilation (T kept, draws per layer per mini-batch, seeded; eval averages over d), any number of
frames, the order-free frame MLP, evaluation per class group and with shuffled frames, and the
summary over runs."""

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
from dlrepro.studies.random_dilation.train import (
    by_group,
    by_stride,
    evaluate,
    frame_orders,
    shuffle_frames,
)

TINY = dict(width=8, bottleneck=4, stages=[1, 1])
DATA = dict(size=16, frames=8, strides=[1, 2, 3], noise=0.2, train=24, val=12, test=12)


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
    assert a["x_train"].shape == (24, 8, 16, 16) and a["x_train"].dtype == np.uint8
    assert np.bincount(a["y_train"], minlength=12).tolist() == [2] * 12
    motion = ~data.is_context(a["y_train"])  # a motion class's motion is its label
    np.testing.assert_array_equal(a["motion_train"][motion], a["y_train"][motion])
    assert set(a["stride_train"]) <= {1, 2, 3}
    assert not np.array_equal(a["x_val"], a["x_test"])
    assert not np.array_equal(a["x_train"], data.generate(8, DATA)["x_train"])


@pytest.mark.parametrize("label", range(6))
def test_blob_is_where_the_centres_say(label):
    r = np.random.default_rng(label)
    clip, centres, motion = data.make_clip(label, 2, 12, 16, 0.0, r)
    assert motion == label
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
        _, c, _ = data.make_clip(label, 1, 16, 16, 0.0, r)
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


@pytest.mark.parametrize("label", range(12))
def test_only_context_classes_show_a_static_object(label):
    """Without noise, the darkest value a pixel takes over the clip is the static object where
    there is one (>= 0.6 x 255 x exp(-1/2) near its line), and low for a moving blob alone."""
    r = np.random.default_rng(label)
    clip, _, _ = data.make_clip(label, 1, 16, 16, 0.0, r)
    still = clip.min(axis=0).max()
    assert (still > 80) == bool(data.is_context(label)), still


def test_context_classes_move_at_random_and_motion_classes_do_not():
    r = np.random.default_rng(0)
    motions = [data.make_clip(8, 1, 8, 16, 0.2, r)[2] for _ in range(60)]
    assert set(motions) == set(range(6))  # the motion says nothing about the context class
    assert data.CLASSES[8] == "scene: bar 90 deg" and len(data.CLASSES) == 12


@pytest.mark.parametrize("kind", range(4))
def test_bars_have_their_orientation(kind):
    """The principal axis of a bar's pixel mass points at its angle (y points down on screen,
    so a 45-degree bar rises to the right)."""
    image = data.scene_object(kind, np.random.default_rng(kind), 16)
    y, x = np.mgrid[0:16, 0:16]
    w = image / image.sum()
    dx, dy = x - (w * x).sum(), -(y - (w * y).sum())  # dy: up is positive
    cov = np.array([[(w * dx * dx).sum(), (w * dx * dy).sum()], [0, (w * dy * dy).sum()]])
    cov[1, 0] = cov[0, 1]
    vx, vy = np.linalg.eigh(cov)[1][:, -1]
    angle = np.degrees(np.arctan2(vy, vx)) % 180
    expected = float(data.SCENES[kind].split()[1])
    assert min(abs(angle - expected), 180 - abs(angle - expected)) < 5, angle


def test_scene_objects_stay_inside_the_frame():
    for kind in range(len(data.SCENES)):
        for seed in range(5):
            image = data.scene_object(kind, np.random.default_rng(seed), 16)
            border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
            assert border.max() < 0.05 * image.max(), (kind, seed)


def test_groups_scene_ids_and_frame_targets():
    labels = np.array([0, 5, 6, 11])
    assert data.is_context(labels).tolist() == [False, False, True, True]
    assert data.scene_ids(labels).tolist() == [0, 0, 1, 6]
    centres = np.array([[[0.1, 0.1], [15.9, 15.9]]] * 4)  # cells 0 and 15 in every clip
    targets = data.frame_targets(centres, labels, 16)
    assert targets.tolist() == [[0, 15], [0, 15], [16, 31], [96, 111]]
    assert data.FRAME_TARGETS == 112


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


# --- evaluation --------------------------------------------------------------------------------


def test_frame_orders_are_seeded_permutations():
    a = frame_orders(5, 7, 3)
    assert a.shape == (5, 7) and (np.sort(a, axis=1) == np.arange(7)).all()
    np.testing.assert_array_equal(a, frame_orders(5, 7, 3))
    assert not np.array_equal(a, frame_orders(5, 7, 4))
    assert len({tuple(row) for row in a}) > 1  # each clip its own order


def test_shuffle_frames_moves_frames_of_each_clip():
    video = torch.arange(2 * 3).float().view(2, 1, 3, 1, 1).expand(2, 1, 3, 2, 2).contiguous()
    orders = np.array([[2, 0, 1], [0, 1, 2]])
    out = shuffle_frames(video, orders, 2)
    assert out[0, 0, :, 0, 0].tolist() == [2.0, 0.0, 1.0]
    assert out[1, 0, :, 1, 1].tolist() == [3.0, 4.0, 5.0]
    features = torch.arange(2 * 2 * 3).float().view(2, 2, 3)
    assert shuffle_frames(features, orders, 2)[0].tolist() == [[2.0, 0.0, 1.0], [5.0, 3.0, 4.0]]
    with pytest.raises(DlreproError, match="orders"):
        shuffle_frames(video, orders[:, :2], 2)


def test_by_group_and_by_stride_are_exact():
    hits = np.array([True, False, True, True, False, False])
    y = np.array([0, 1, 6, 7, 11, 5])  # motion, motion, context x3, motion
    assert by_group(hits, y) == {"all": 0.5, "context": 2 / 3, "motion": 1 / 3}
    assert by_stride(hits, np.array([1, 1, 2, 2, 3, 3])) == {"1": 0.5, "2": 1.0, "3": 0.0}
    with pytest.raises(DlreproError, match="context"):
        by_group(hits[:2], y[:2])


def test_evaluate_an_order_free_model_is_unchanged_by_shuffling():
    net2d, _ = _inflated(1)
    videos = torch.rand(12, 1, 6, 16, 16)
    y = torch.arange(12)
    torch.manual_seed(0)
    mlp = FrameMLP(8, 16, 12)
    out = evaluate(mlp, frame_features(net2d, videos), y, np.ones(12, int), frame_orders(12, 6, 0))
    assert out["test_acc_shuffled"] == out["test_acc_by_group"]
    assert out["test_acc_by_group"]["all"] == out["test_acc"] == out["test_acc_by_stride"]["1"]
    per_class = out["test_acc_by_class"]  # one clip per class: each 0 or 1
    assert list(per_class) == list(data.CLASSES) and set(per_class.values()) <= {0.0, 1.0}
    assert np.mean(list(per_class.values())) == pytest.approx(out["test_acc"])


def test_a_3d_net_sees_the_shuffle():
    _, net = _inflated(1)
    torch.manual_seed(1)
    for conv in net.temporal_convs():  # the inflated kernels are symmetric in time: break that
        conv.weight.data.normal_(0, 0.3)
    videos = torch.rand(12, 1, 6, 16, 16)
    reversed_orders = np.tile(np.arange(6)[::-1], (12, 1))
    with torch.no_grad():
        plain = net(videos)
        flipped = net(shuffle_frames(videos, reversed_orders, 2))
    torch.testing.assert_close(flipped, net(videos.flip(2)))
    assert not torch.allclose(plain, flipped, atol=1e-4)


# --- summary ---------------------------------------------------------------------------------


def _metrics(variant, run, acc, by_stride=None, context=None, motion=None, shuffled=None):
    """One run's metrics.json; per-group accuracies default to context 0.2 above motion, and
    shuffling (default) costs the motion classes 0.3 and the context classes nothing."""
    context = acc + 0.1 if context is None else context
    motion = acc - 0.1 if motion is None else motion
    shuffled = shuffled or {"all": acc - 0.15, "context": context, "motion": motion - 0.3}
    return {
        "variant": variant,
        "run": run,
        "test_acc": acc,
        "parameters": 10,
        "test_acc_by_stride": by_stride or {"1": acc, "3": acc / 2},
        "test_acc_by_group": {"all": acc, "context": context, "motion": motion},
        "test_acc_shuffled": shuffled,
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
    assert nd["by_group"]["context"]["runs"] == pytest.approx([0.5, 0.7])
    assert nd["shuffle_cost"]["motion"]["runs"] == pytest.approx([0.3, 0.3])
    assert nd["shuffle_cost"]["context"]["runs"] == [0.0, 0.0]
    assert nd["shuffle_cost"]["all"]["runs"] == pytest.approx([0.15, 0.15])
    assert list(table["context_classes_mean"]) == pytest.approx([0.6, 0.35])
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

    def runs(no_dilation_context=0.7):
        out = []
        for v, a in accs.items():
            for r in range(3):
                by_stride = {"1": a - 0.1 * (v != "random_dilation"), "2": a}
                context = no_dilation_context if v == "no_dilation" else None
                out.append(_metrics(v, r, a + 0.01 * r, by_stride, context=context))
        return out

    claims = load_claims(study_dir("random_dilation") / "claims.yaml")
    table = compare(claims, summarise(runs())[1])
    judged = table[table["verdict"] != "not comparable"]
    assert len(table) - len(judged) == 4  # the post's Kinetics numbers
    checks = judged["kind"] == "check"
    assert checks.sum() == 2 and set(judged.loc[checks, "verdict"]) == {"passed"}
    assert set(judged.loc[~checks, "verdict"]) == {"reproduced"}
    assert (judged["runs"] == 3).all()
    # context below motion in every run: the post's "context matters more" differs
    table = compare(claims, summarise(runs(no_dilation_context=0.3))[1]).set_index("claim")
    row = table.loc[[c for c in table.index if c.startswith("Context matters more")][0]]
    assert row["kind"] == "qualitative" and row["verdict"] == "differs"


def test_frame_mlp_motion_check_fails_above_the_order_free_ceiling():
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    runs = [
        _metrics(v, r, 0.6, motion=0.9 if v == "frame_mlp" else None)
        for v in ("no_dilation", "dilation2", "random_dilation", "frame_mlp")
        for r in range(5)
    ]
    table = compare(load_claims(study_dir("random_dilation") / "claims.yaml"), summarise(runs)[1])
    row = table[table["claim"].str.startswith("The order-free frame MLP")].iloc[0]
    assert row["kind"] == "check" and row["verdict"] == "failed"


def test_training_is_bit_identical_per_seed_and_draws_both_dilations():
    from dlrepro.studies.random_dilation.train import fit

    configure_torch(0, 1)
    d = data.generate(3, DATA)
    x = torch.from_numpy(d["x_train"]).unsqueeze(1).float() / 255
    y = torch.from_numpy(d["y_train"])
    training = dict(epochs=2, batch_size=4, lr=1e-3)

    def train(seed):
        torch.manual_seed(0)
        net = BesNet(**TINY, n_classes=12, dilation="random")
        net.set_generator(torch.Generator().manual_seed(seed))
        history = fit(net, x, y, x[:6], y[:6], training, 0, torch.device("cpu"), "test")
        return net, history

    (a, ha), (b, hb), (c, _) = train(1), train(1), train(2)
    assert ha == hb and len(ha) == 2 and {"loss", "train_acc", "val_acc"} <= set(ha[0])
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k]), k
    assert any(not torch.equal(v, c.state_dict()[k]) for k, v in a.state_dict().items())
    assert all(len(conv.drawn) == 12 for conv in a.temporal_convs())  # 6 batches x 2 epochs


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
