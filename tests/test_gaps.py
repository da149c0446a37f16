"""How a client reads a leaky bucket's spacing from the gaps at which its requests arrived
(``pipeline.net.gaps``), wherever in the round trip the limiter counts them."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.net.gaps import REFUSALS, WHERE, ArrivalGaps

LATENCY, JITTER = 0.020, 0.004  # seconds: a round trip, and up to this much more


def _answers(
    spacing: float, ahead: float, sent: list[tuple[float, str]], seed: int
) -> list[tuple[float, float, bool, str]]:
    """Requests that left at ``sent`` (when, whose) meeting one leaky bucket of ``spacing``
    seconds at ``ahead`` of their round trips: (answered, left, refused, whose), in the order
    the answers came."""
    rng = random.Random(seed)
    trips = [(when, LATENCY + rng.uniform(0, JITTER), whose) for when, whose in sent]
    last = -math.inf
    answers = []
    for arrives, when, trip, whose in sorted((w + ahead * t, w, t, c) for w, t, c in trips):
        accepted = arrives - last >= spacing
        last = arrives if accepted else last
        answers.append((when + trip, when, not accepted, whose))
    return sorted(answers)


def _lone(rate: float, ahead: float, seed: int, count: int = 300) -> ArrivalGaps:
    """One client sending at 0.9 to 1.4 gaps of a leaky bucket of ``rate`` a second."""
    rng = random.Random(seed)
    sent, when = [], 0.0
    for _ in range(count):
        when += rng.uniform(0.9, 1.4) / rate
        sent.append((when, "a"))
    gaps = ArrivalGaps()
    for answered, left, refused, _ in _answers(1 / rate, ahead, sent, seed):
        gaps.heard(answered, left, refused)
    return gaps


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(5, 200),
    ahead=st.sampled_from([where for where in WHERE if where is not None]),
    seed=st.integers(0, 10_000),
)
def test_a_lone_client_brackets_the_spacing_of_a_bucket_wider_than_the_jitter(rate, ahead, seed):
    """A client alone on a leaky bucket whose spacing is wider than the round trips' spread
    (so that its requests reach it in the order they left), sending close to that spacing:
    the gaps stay trusted, and the spacing lies between the longest gap refused and the
    shortest accepted, exactly where the gaps are read at the place the requests were
    counted, and within what reading them elsewhere in the round trip moves them (that
    share of its spread) where the refusals did not tell the place; read anywhere in it,
    the shortest accepted still bounds the spacing."""
    gaps = _lone(rate, ahead, seed)
    assert gaps.trusted and gaps.known()
    if gaps.where is None:
        assert gaps.least >= 1 / rate - 1e-12
        return
    slack = abs(gaps.where - ahead) * JITTER + 1e-12
    assert gaps.refused_gap < 1 / rate + slack and gaps.least >= 1 / rate - slack


@pytest.mark.parametrize("ahead", [0.5, 1.0, 0.0])
@pytest.mark.parametrize("rate", [40, 120])
def test_refusals_tell_where_in_the_round_trip_the_limiter_counts(rate, ahead):
    """At 40/s and 120/s the refusals near the spacing tell where the requests were counted
    (in 30 seeds each, but for one at 120/s counted at the end of the round trip)."""
    found = [_lone(rate, ahead, seed).where == ahead for seed in range(30)]
    assert sum(found) >= 29, found


@settings(max_examples=60, deadline=None)
@given(rate=st.floats(5, 250), ahead=st.floats(0, 1), seed=st.integers(0, 10_000))
def test_wherever_the_limiter_counts_the_shortest_gap_trusted_is_near_its_spacing(
    rate, ahead, seed
):
    """Counted anywhere in the round trip, not only at its midpoint or an end: trusted, the
    shortest gap read is no shorter than the spacing by more than half the round trips'
    spread (which the jitter left at the plateau covers)."""
    gaps = _lone(rate, ahead, seed)
    assert not gaps.trusted or gaps.least >= 1 / rate - JITTER / 2 - 1e-12


def test_a_client_sharing_the_bucket_does_not_trust_its_own_gaps():
    """Two clients taking turns: a request of one is refused a long way after its own last
    accepted one, for the other's accepted between them. Neither reads the bucket's spacing
    from its own gaps."""
    rate, sent, when = 40.0, [], 0.0
    rng = random.Random(3)
    for k in range(400):
        when += rng.uniform(0.5, 0.7) / rate
        sent.append((when, "ab"[k % 2]))
    gaps = {"a": ArrivalGaps(), "b": ArrivalGaps()}
    for answered, left, refused, whose in _answers(1 / rate, 0.5, sent, seed=3):
        gaps[whose].heard(answered, left, refused)
    assert not gaps["a"].trusted and not gaps["b"].trusted


def _refused_at_the_plateau(gaps: ArrivalGaps, times: int, margin: float = 0.001) -> list[float]:
    """``times`` refusals at the plateau (which left ``margin`` seconds beyond the shortest
    gap), each a request that left a spacing (of 40/s) and a millisecond after an accepted
    one, its round trip 3 ms shorter (at the midpoints, 1.5 ms closer than they left); each
    read once a request that left after it is accepted. The gaps' widening after each."""
    spacing, widened = 1 / 40, []
    for k in range(times):
        left = 10.0 + k
        gaps.heard(left + 0.022, left, pushed=False)
        refused_left = left + spacing + 0.001
        gaps.heard(refused_left + 0.019, refused_left, pushed=True, margin=margin)
        assert gaps.widened == (widened[-1] if widened else 0.0)  # not read yet
        gaps.heard(left + 0.122, left + 0.1, pushed=False)
        widened.append(gaps.widened)
    return widened


def test_refusals_at_the_plateau_widen_the_gaps_then_end_the_trust():
    """Each refusal at the plateau the gaps set widens them by what it showed (a tenth more);
    where each holds the client a second, more than ``REFUSALS`` there and the gaps are not
    trusted; where each costs only its retry, more are borne."""
    held = _lone(40.0, 0.5, seed=1)
    held.patience = REFUSALS
    assert held.trusted
    widened = _refused_at_the_plateau(held, REFUSALS + 1)
    assert math.isclose(widened[0], 1.1 * 0.0015)
    assert not held.trusted
    free = _lone(40.0, 0.5, seed=1)
    _refused_at_the_plateau(free, REFUSALS + 1)
    assert free.trusted and free.patience > REFUSALS
