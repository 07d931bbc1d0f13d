"""The multi-residual study's measures on exact small cases."""

from __future__ import annotations

import math

import pytest
import torch

from dlrepro.errors import DlreproError
from dlrepro.studies.multi_residual import paths
from dlrepro.studies.multi_residual.models import BlockNet, block_sampler
from dlrepro.studies.multi_residual.summary import drops


def test_path_counts_by_hand_and_by_enumeration():
    assert paths.path_counts(3) == [1, 3, 3, 1]  # {}, 3 singles, 3 pairs, all three
    assert paths.enumerated_counts(4) == [1, 4, 6, 4, 1]
    assert paths.enumerated_counts(7) == paths.path_counts(7)
    assert paths.share_in_range(4, 1, 2) == 10 / 16
    # the post's 110-layer ResNet: 54 blocks, 10-34 layers = 5-17 blocks
    assert paths.share_in_range(54, 5, 17) == pytest.approx(
        sum(math.comb(54, k) for k in range(5, 18)) / 2**54
    )


def test_contribution_effective_range_and_mean_length():
    # equal norms: the contribution is the binomial itself
    assert paths.contribution([1.0, 1.0, 1.0]) == [0.25, 0.5, 0.25]
    shares = [0.1, 0.2, 0.4, 0.2, 0.1]
    assert paths.effective_range(shares, 0.8) == (1, 3)  # 10% cut at each end
    assert paths.effective_range(shares, 0.9) == (0, 4)
    assert paths.mean_length([0.0, 1.0, 0.0]) == 1.0
    assert paths.mean_length(shares) == pytest.approx(2.0)
    with pytest.raises(DlreproError):
        paths.contribution([0.0, 0.0])


def _linear_net(blocks: int) -> BlockNet:
    """A net whose residual functions are exactly x -> 2x (BN in eval at identity stats, ReLU
    on positive inputs): path gradients are then known in closed form."""
    torch.manual_seed(0)
    net = BlockNet(1, 1, blocks)
    with torch.no_grad():
        net.stem.weight.fill_(1.0)
        net.stem.bias.fill_(0.0)
        for (f,) in net.blocks:
            f[2].weight.fill_(2.0), f[2].bias.fill_(0.0)
            f[5].weight.fill_(1.0), f[5].bias.fill_(0.0)
    return net.eval()


def test_routes_give_the_gradient_of_one_path_length():
    net = _linear_net(3)
    net.head = torch.nn.Identity()  # from_stream returns the stream itself
    h = torch.tensor([[1.0]], requires_grad=True)
    for k in range(4):
        for on in ({0, 1, 2} - {i} for i in range(3)) if k == 2 else [set(range(k))]:
            net.routes = tuple("residual" if i in on else "skip" for i in range(3))
            out = net.from_stream(h)
            # the forward value never depends on the routes: (1 + 2)^3 through every block
            assert out.item() == pytest.approx(27.0, rel=1e-4)
            (g,) = torch.autograd.grad(out.sum(), h)
            # k residual branches of slope 2 (BN's eps aside), skips of slope 1
            assert g.item() == pytest.approx(2.0**k, rel=1e-4)
    net.routes = None
    (g,) = torch.autograd.grad(net.from_stream(h).sum(), h)
    assert g.item() == pytest.approx(27.0, rel=1e-4)  # every path: sum_k C(3, k) 2^k


def test_gradient_norm_per_length_uses_exactly_k_residual_branches():
    net = _linear_net(3)
    head = net.head[2]
    with torch.no_grad():  # logits = (0, 0): the loss gradient w.r.t. the stream is zero...
        head.weight.zero_()
        head.weight[0, 0] = 1.0  # ... except through logit 0: d loss / d stream = p0 - 1
    x, y = torch.tensor([[1.0]]), torch.tensor([0])
    norms = paths.gradient_norm_per_length(net, x, y, 3, torch.Generator().manual_seed(0))
    # the stream value is 27 whatever the routes; the path gradient is (1 - p0) * 2^k
    p0 = torch.softmax(torch.tensor([27.0] + [0.0] * 9), 0)[0].item()
    assert norms == pytest.approx([(1 - p0) * 2.0**k for k in range(4)], rel=1e-4)
    assert net.routes is None


def test_deleting_a_block_makes_it_the_identity():
    net = _linear_net(3)
    x = torch.tensor([[1.0]])
    net.deleted = frozenset({1})
    stream = net.stream_input(x)
    for i, (f,) in enumerate(net.blocks):
        if i != 1:
            stream = stream + f(stream)
    assert stream.item() == pytest.approx(9.0, rel=1e-4)
    assert torch.allclose(net.head(stream), net(x), rtol=1e-4)
    plain = BlockNet(4, 3, 2, residual=False).eval()
    plain.deleted = frozenset({0, 1})  # no block left: the head on the stem's output
    z = torch.randn(5, 4)
    assert torch.allclose(plain(z), plain.head(plain.stem(z)))


def test_block_sampler_sizes_and_determinism():
    draw = block_sampler(6, 2, 4, torch.Generator().manual_seed(1))
    sets = [draw() for _ in range(200)]
    assert {len(s) for s in sets} == {2, 3, 4}
    assert all(s <= set(range(6)) for s in sets)
    again = block_sampler(6, 2, 4, torch.Generator().manual_seed(1))
    assert [again() for _ in range(200)] == sets
    with pytest.raises(DlreproError):
        block_sampler(3, 2, 4, torch.Generator())


def test_sampler_acts_in_training_mode_only():
    torch.manual_seed(0)
    net = BlockNet(4, 3, 3)
    net.sampler = lambda: frozenset()  # no block kept: stem then head
    z = torch.randn(8, 4)
    net.train()
    assert torch.allclose(net(z), net.head(net.stem(z)))
    net.eval()
    assert not torch.allclose(net(z), net.head(net.stem(z)))


def test_multi_residual_net_has_the_resnets_parameters():
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(BlockNet(196, 16, 2, functions=3)) == count(BlockNet(196, 16, 6))
    with pytest.raises(DlreproError):
        BlockNet(4, 3, 2, functions=2, residual=False)


def test_drops():
    d = drops(0.9, [0.9, 0.5, 0.85])
    assert d["mean_drop"] == pytest.approx(0.15) and d["median_drop"] == pytest.approx(0.05)
    assert d["max_drop"] == pytest.approx(0.4) and d["per_block"]["1"] == pytest.approx(0.4)
