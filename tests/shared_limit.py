"""Several clients sharing one rate limit, simulated in virtual time: an event loop whose clock
jumps to the next timer instead of waiting, a gateway's token bucket (one second of burst,
429 with ``Retry-After`` in whole seconds), and clients shaped like the engine (requests in
flight up to a cap, each released by its own ``Pace``, a refused request retried under the
retry policy). Forty seconds of four clients take a fraction of a second."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.net.limiter import Pace, jain
from pipeline.net.retry import RetryPolicy


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop whose time moves only when every task waits: to the next timer."""

    def __init__(self) -> None:
        super().__init__()
        self._virtual = 0.0
        select = self._selector.select  # type: ignore[attr-defined]

        def jump(timeout: float | None = None) -> list:
            if timeout:
                self._virtual += timeout
            return select(0)

        self._selector.select = jump  # type: ignore[attr-defined]

    def time(self) -> float:
        return self._virtual


class Gateway:
    """A gateway's token bucket: ``rate`` a second, one second of burst."""

    def __init__(self, clock: Callable[[], float], rate: float) -> None:
        self.clock, self.rate = clock, rate
        self.tokens, self.last = rate, clock()

    def take(self) -> float | None:
        """None when the request is accepted, else the seconds until a token."""
        now = self.clock()
        self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate


@dataclass
class Client:
    rows: int
    start: float  # seconds after the others may begin
    sent: int = 0
    requests: int = 0
    refused: int = 0
    began: float = 0.0
    ended: float = 0.0
    accepted_at: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.sent / (self.ended - self.began)


async def _send_all(
    loop: asyncio.AbstractEventLoop, gateway: Gateway, client: Client, rng: random.Random
) -> None:
    await asyncio.sleep(client.start)
    client.began = loop.time()
    pace = Pace(clock=loop.time, sleep=asyncio.sleep, rng=random.Random(rng.random()))
    policy = RetryPolicy(rng=random.Random(rng.random()), clock=loop.time)
    left = client.rows

    async def one() -> None:
        attempt = 1
        while True:
            sent_at = await pace.acquire()
            client.requests += 1
            latency = 0.020 + rng.uniform(0, 0.004)
            await asyncio.sleep(latency / 2)
            wait = gateway.take()
            await asyncio.sleep(latency / 2)
            if wait is None:
                pace.answered(sent_at, 200)
                client.accepted_at.append(loop.time())
                return
            retry_after = max(1, math.ceil(wait))
            pace.answered(sent_at, 429, retry_after)
            client.refused += 1
            await asyncio.sleep(policy.delay(attempt, retry_after))
            attempt += 1

    async def worker() -> None:
        nonlocal left
        while left:
            left -= 1
            await one()
            client.sent += 1

    await asyncio.gather(*(worker() for _ in range(8)))
    client.ended = loop.time()


def share_one_limit(
    limit: float, rows: int, starts: list[float], seed: int
) -> tuple[list[Client], float]:
    """Clients starting at ``starts`` (seconds), ``rows`` each, against one ``limit``; the
    clients and the share of the limit they used together."""
    rng = random.Random(seed)
    loop = VirtualLoop()
    try:
        gateway = Gateway(loop.time, limit)
        clients = [Client(rows, start) for start in starts]

        async def together() -> None:
            await asyncio.gather(
                *(_send_all(loop, gateway, c, random.Random(rng.random())) for c in clients)
            )

        loop.run_until_complete(together())
    finally:
        loop.close()
    span = max(c.ended for c in clients) - min(c.began for c in clients)
    used = sum(c.sent for c in clients) / (limit * (span + 1))
    return clients, used


def fairness(clients: list[Client]) -> float:
    """Jain's index over each client's rows per second over its own run."""
    return jain([c.throughput for c in clients])


def shares(clients: list[Client], since: float, until: float) -> list[int]:
    """Rows each client had accepted between ``since`` and ``until``."""
    return [sum(1 for t in c.accepted_at if since <= t < until) for c in clients]


def main(runs: int = 100) -> None:
    """``python -m tests.shared_limit``: the spread of fairness, limit used and refusals over
    ``runs`` runs, for four clients started within 20 ms and for three joining one that had
    the limit to itself for 5 s (BENCHMARKS.md, Pacing)."""
    from statistics import median

    together, used, refused, late = [], [], [], []
    for seed in range(runs):
        rng = random.Random(seed)
        clients, share = share_one_limit(60, 600, [rng.uniform(0, 0.02) for _ in range(4)], seed)
        together.append(fairness(clients))
        used.append(share)
        refused.append(sum(c.refused for c in clients) / sum(c.requests for c in clients))
        clients, _ = share_one_limit(60, 1200, [0.0, 5.0, 5.0, 5.0], seed)
        late.append(jain([float(n) for n in shares(clients, 12.0, 27.0)]))

    def p5(values: list[float]) -> float:
        return sorted(values)[int(0.05 * (len(values) - 1))]

    print(
        f"four started together: Jain min {min(together):.3f} p5 {p5(together):.3f} "
        f"median {median(together):.3f}; used min {min(used):.0%} median {median(used):.0%}; "
        f"refused median {median(refused):.1%} max {max(refused):.1%}"
    )
    print(
        f"three joining after 5 s, 12-27 s: Jain min {min(late):.3f} p5 {p5(late):.3f} "
        f"median {median(late):.3f}"
    )


if __name__ == "__main__":
    main()
