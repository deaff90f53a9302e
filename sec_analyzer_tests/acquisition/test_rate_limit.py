"""The shared EDGAR request budget: spacing, the one-second window, pauses, and real concurrency."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sec_analyzer.acquisition.rate_limit import RateLimiter, default_state_dir
from sec_analyzer.errors import ConfigurationError


class FakeClock:
    """A clock that only moves when somebody sleeps, so grant times are exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def busiest_window(moments: list[float], window: float = 1.0) -> int:
    """The most moments that fall in any half-open interval [t, t + window)."""
    ordered = sorted(moments)
    best = 0
    for start_index, start in enumerate(ordered):
        inside = [m for m in ordered[start_index:] if m < start + window - 1e-9]
        best = max(best, len(inside))
    return best


def test_grants_are_evenly_spaced_at_the_configured_rate(tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = RateLimiter(8.0, state_dir=tmp_path, clock=clock, sleep=clock.sleep)
    grants = [limiter.acquire() for _ in range(24)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(grants)]
    assert min(gaps) == pytest.approx(0.125)
    assert busiest_window(grants) == 8


def test_a_fractional_rate_never_lets_a_window_exceed_its_whole_part(tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.5, state_dir=tmp_path, clock=clock, sleep=clock.sleep)
    grants = [limiter.acquire() for _ in range(12)]
    assert busiest_window(grants) == 2


def test_a_pause_holds_back_every_limiter_sharing_the_state(tmp_path: Path) -> None:
    clock = FakeClock()
    first = RateLimiter(8.0, state_dir=tmp_path, clock=clock, sleep=clock.sleep)
    second = RateLimiter(8.0, state_dir=tmp_path, clock=clock, sleep=clock.sleep)
    first.acquire()
    first.pause(600.0)
    assert second.paused_for() == pytest.approx(600.0)
    granted = second.acquire()
    assert granted == pytest.approx(1000.0 + 600.0)
    assert first.paused_for() == 0.0


def test_a_shorter_pause_never_shortens_a_longer_one(tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = RateLimiter(8.0, state_dir=tmp_path, clock=clock, sleep=clock.sleep)
    limiter.pause(600.0)
    limiter.pause(5.0)
    assert limiter.paused_for() == pytest.approx(600.0)


def test_state_from_before_a_reboot_or_unreadable_is_discarded(tmp_path: Path) -> None:
    clock = FakeClock()
    (tmp_path / "state.json").write_text(json.dumps({"grants": [5000.0], "paused_until": 9e9}))
    limiter = RateLimiter(8.0, state_dir=tmp_path, clock=clock, sleep=clock.sleep)
    assert limiter.acquire() == 1000.0
    (tmp_path / "state.json").write_text("{half a wri")
    assert limiter.acquire() == 1000.0


@pytest.mark.parametrize("rate", [0.0, -1.0, 10.5])
def test_rates_outside_fair_access_are_refused(tmp_path: Path, rate: float) -> None:
    with pytest.raises(ConfigurationError, match="at most 10"):
        RateLimiter(rate, state_dir=tmp_path)


def test_default_state_dir_is_machine_wide_and_overridable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SEC_ANALYZER_EDGAR_RATE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_state_dir() == tmp_path / "cache" / "sec-analyzer" / "edgar-rate"
    monkeypatch.setenv("SEC_ANALYZER_EDGAR_RATE_DIR", str(tmp_path / "explicit"))
    assert default_state_dir() == tmp_path / "explicit"


def test_processes_and_threads_together_never_exceed_the_limit(tmp_path: Path) -> None:
    """Three processes of three threads each share one budget; grant times come from one clock."""
    worker = textwrap.dedent(
        """
        import json, sys, threading
        from pathlib import Path
        from sec_analyzer.acquisition.rate_limit import RateLimiter

        state_dir, rate, per_thread = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
        grants, guard = [], threading.Lock()

        def hammer():
            limiter = RateLimiter(rate, state_dir=state_dir)
            for _ in range(per_thread):
                moment = limiter.acquire()
                with guard:
                    grants.append(moment)

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(json.dumps(grants))
        """
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", worker, str(tmp_path), "10", "4"], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    grants: list[float] = []
    for process in workers:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        grants.extend(json.loads(output))
    assert len(grants) == 36
    assert busiest_window(grants) <= 10
    ordered = sorted(grants)
    assert min(later - earlier for earlier, later in itertools.pairwise(ordered)) >= 0.1 - 1e-6
