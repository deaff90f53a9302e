"""One EDGAR request budget for every thread and process on the machine.

SEC fair access allows at most 10 requests per second per user, and a client that exceeds it
is locked out for ten minutes or more. Dagster runs each asset step in its own process, so a
per-process limiter is not enough: the budget lives in a small JSON state file, and every
grant is decided while holding an exclusive `fcntl.flock` on a lock file beside it. `flock`
conflicts between separate opens of the same file, so threads of one process are serialised
by the same lock as other processes.

The state holds the grant times of the last N requests (N = the per-second limit, rounded
down) and a shared pause deadline. A request is granted when

- no pause is in force (a 403 "rate threshold exceeded" answer pauses everybody), and
- at least 1/rate seconds have passed since the previous grant (smooth spacing, no bursts), and
- the N-th most recent grant is at least one second (plus a small margin for network jitter)
  old, so no one-second window, wherever it starts, ever holds more than N grants.

Times are `time.monotonic()`, which on Linux is one clock for all processes since boot; a
state file written before a reboot holds times "from the future" and is discarded.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sec_analyzer.atomic_files import write_atomically
from sec_analyzer.errors import ConfigurationError

STATE_DIR_ENVIRONMENT_VARIABLE = "SEC_ANALYZER_EDGAR_RATE_DIR"
SEC_MAX_REQUESTS_PER_SECOND = 10.0
# A request reaches SEC a little after its grant, and not always equally late: windows are
# measured this much longer than a second so that jitter cannot squeeze N + 1 arrivals into one.
WINDOW_MARGIN_SECONDS = 0.05


def default_state_dir() -> Path:
    """`$SEC_ANALYZER_EDGAR_RATE_DIR`, else `$XDG_CACHE_HOME/sec-analyzer/edgar-rate` (~/.cache).

    Deliberately not under the project's data folder: two checkouts on one machine still share
    one SEC budget.
    """
    explicit = os.environ.get(STATE_DIR_ENVIRONMENT_VARIABLE)
    if explicit:
        return Path(explicit)
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "sec-analyzer" / "edgar-rate"


class RateLimiter:
    """One request budget, shared through `state_dir` by every RateLimiter pointed at that folder."""

    def __init__(
        self,
        requests_per_second: float = 8.0,
        *,
        state_dir: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 < requests_per_second <= SEC_MAX_REQUESTS_PER_SECOND:
            raise ConfigurationError(
                f"EDGAR_REQUESTS_PER_SECOND must be above 0 and at most {SEC_MAX_REQUESTS_PER_SECOND:g} "
                f"(SEC fair-access limit), got {requests_per_second:g}"
            )
        self.requests_per_second = requests_per_second
        self.requests_per_window = max(1, math.floor(requests_per_second))
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self._clock = clock
        self._sleep = sleep
        self._state_path = self.state_dir / "state.json"
        self._lock_path = self.state_dir / "state.lock"
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(
                f"cannot create the EDGAR rate-limit folder {self.state_dir} ({error}); "
                f"set {STATE_DIR_ENVIRONMENT_VARIABLE} to a writable folder"
            ) from error

    def acquire(self) -> float:
        """Block until this caller may send one request; returns the moment of the grant."""
        while True:
            with self._locked():
                now = self._clock()
                grants, paused_until = self._read(now)
                wait = self._wait_before_grant(now, grants, paused_until)
                if wait <= 0:
                    grants.append(now)
                    self._write(grants[-self.requests_per_window :], paused_until)
                    return now
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold back every caller sharing this state, in any process, for `seconds` from now."""
        with self._locked():
            now = self._clock()
            grants, paused_until = self._read(now)
            self._write(grants, max(paused_until, now + seconds))

    def paused_for(self) -> float:
        """Seconds left of a pause in force (0 when none)."""
        with self._locked():
            now = self._clock()
            _, paused_until = self._read(now)
            return max(0.0, paused_until - now)

    def _wait_before_grant(self, now: float, grants: list[float], paused_until: float) -> float:
        waits = [paused_until - now]
        if grants:
            waits.append(grants[-1] + 1.0 / self.requests_per_second - now)
        if len(grants) >= self.requests_per_window:
            waits.append(grants[-self.requests_per_window] + 1.0 + WINDOW_MARGIN_SECONDS - now)
        return max(waits)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self._lock_path, "a+b") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def _read(self, now: float) -> tuple[list[float], float]:
        try:
            state = json.loads(self._state_path.read_bytes())
            grants = [float(moment) for moment in state["grants"]]
            paused_until = float(state["paused_until"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            # absent or unreadable state (e.g. a writer on a full disk): start a fresh budget
            return [], 0.0
        if any(moment > now for moment in grants) or paused_until > now + 24 * 3600:
            return [], 0.0  # written before a reboot: the monotonic clock restarted since
        return grants, paused_until

    def _write(self, grants: list[float], paused_until: float) -> None:
        state = json.dumps({"grants": grants, "paused_until": paused_until})
        write_atomically(self._state_path, lambda temporary: temporary.write_text(state), prefix=".state-")
