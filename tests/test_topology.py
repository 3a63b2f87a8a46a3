"""Fat-tree counts against hand calculation, closed forms and conservation properties."""

from math import ceil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lightfabric.errors import TopologyError
from lightfabric.topology.clos import build_fat_tree, fewest_tiers, leaf_split, max_host_ports


def test_two_tier_radix_64_2048_hosts_hand_calculation():
    # 32 hosts per leaf -> 64 leaves; 64 x 32 uplinks = 2,048 spine ports -> 32 spines of 64 ports
    t = build_fat_tree(2048, radix=64, tiers=2)
    assert t.switches_per_tier == (64, 32)
    assert t.links_per_tier == (2048, 2048)
    assert t.ports_spare == 0


def test_full_three_tier_matches_al_fares_closed_form():
    # k-ary fat-tree: k^3/4 hosts, 5k^2/4 switches, k^2/2 per lower tier and k^2/4 cores
    for k in (8, 16, 64, 128):
        t = build_fat_tree(k ** 3 // 4, radix=k, tiers=3)
        assert t.switches == 5 * k * k // 4
        assert t.switches_per_tier == (k * k // 2, k * k // 2, k * k // 4)
        assert t.ports_spare == 0
        assert max_host_ports(k, 3) == k ** 3 // 4


def test_single_switch():
    t = build_fat_tree(40, radix=64, tiers="auto")
    assert t.tiers == 1 and t.switches == 1 and t.ports_spare == 24


def test_oversubscribed_leaf_split_and_counts():
    s = leaf_split(64, 3.0)
    assert (s.down, s.up) == (48, 16)
    t = build_fat_tree(3072, radix=64, tiers=2, oversubscription=3.0)
    # 3,072 / 48 = 64 leaves; 64 x 16 = 1,024 uplinks -> 16 spines
    assert t.switches_per_tier == (64, 16)
    assert t.oversubscription == 3.0


def test_auto_picks_fewest_tiers():
    assert fewest_tiers(64, 64) == 1
    assert fewest_tiers(65, 64) == 2
    assert fewest_tiers(2048, 64) == 2
    assert fewest_tiers(2049, 64) == 3
    assert fewest_tiers(65536, 64) == 3
    assert fewest_tiers(65537, 64) is None


def test_too_many_hosts_for_the_tiers_is_an_error_naming_the_limit():
    with pytest.raises(TopologyError, match="at most 2,048"):
        build_fat_tree(2049, radix=64, tiers=2)
    with pytest.raises(TopologyError, match="at most 65,536"):
        build_fat_tree(70000, radix=64, tiers="auto")


fat_trees = st.tuples(
    st.integers(min_value=1, max_value=5_000_000),
    st.sampled_from([8, 16, 32, 64, 128, 144, 256, 512]),
    st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.0, 7.0]),
    st.sampled_from(["auto", 1, 2, 3]),
)


@settings(max_examples=400, deadline=None)
@given(fat_trees)
def test_conservation_properties(args):
    hosts, k, over, tiers = args
    try:
        t = build_fat_tree(hosts, k, tiers, over)
    except TopologyError:
        assert hosts > max_host_ports(k, 3 if tiers == "auto" else tiers, over)
        return
    assert t.host_ports == hosts <= t.max_host_ports
    # every port counted once: hosts plus both ends of every switch link, within the switches' ports
    assert t.ports_used == t.links_per_tier[0] + 2 * sum(t.links_per_tier[1:])
    assert 0 <= t.ports_spare < t.ports_total
    if t.tiers == 1:
        return
    leaves = t.switches_per_tier[0]
    d, u = t.leaf_split.down, t.leaf_split.up
    assert leaves == ceil(hosts / d)
    # bandwidth up equals bandwidth down over the oversubscription, at every leaf
    assert leaves * u * t.oversubscription == pytest.approx(leaves * d)
    # the leaf split is the integer split closest to the asked oversubscription (brute force)
    best = min(abs(x / (k - x) - over) for x in range(1, k))
    assert abs(t.oversubscription - over) == pytest.approx(best)
    # no switch tier has more links landing on it than it has ports
    assert t.links_per_tier[1] <= t.switches_per_tier[1] * (k if t.tiers == 2 else k // 2)
    if t.tiers == 3:
        # spines are non-blocking: as many links up to the cores as down to the leaves
        assert t.links_per_tier[2] == t.links_per_tier[1]
        assert t.links_per_tier[2] <= t.switches_per_tier[2] * k
        pods = t.switches_per_tier[1] // u
        assert pods <= k


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=60_000), st.integers(min_value=1, max_value=5000))
def test_more_hosts_never_need_fewer_switches(hosts, extra):
    a = build_fat_tree(hosts, 64, 3)
    b = build_fat_tree(min(hosts + extra, 65536), 64, 3)
    assert b.switches >= a.switches
