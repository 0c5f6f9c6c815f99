"""How long to wait before trying a transient failure again.

Exponential backoff with "full jitter" (a random wait between zero and the
exponential bound): when SES throttles eight threads at once, jitter spreads
their retries instead of sending them back in one synchronised burst.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # tries per message, the first included
    base: float = 0.05  # seconds: the bound of the first wait
    cap: float = 10.0  # seconds: no single wait is longer

    def delay(self, failed_attempts: int, rng: random.Random | None = None) -> float:
        """The wait after the `failed_attempts`-th consecutive failure (1, 2, …)."""
        bound = min(self.cap, self.base * 2 ** (failed_attempts - 1))
        return (rng or random).uniform(0, bound)
