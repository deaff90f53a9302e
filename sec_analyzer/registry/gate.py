"""The champion/challenger gate: may a candidate replace the champion, and if not, which rule failed."""

from __future__ import annotations

from dataclasses import dataclass

from sec_analyzer.registry.config import GateConfig
from sec_analyzer.registry.entry import GoldFigures


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    reasons: tuple[str, ...]  # one line per rule: what was required and what was measured

    def summary(self) -> str:
        return "; ".join(self.reasons)


def judge(candidate: GoldFigures, champion: GoldFigures | None, config: GateConfig) -> GateDecision:
    """Every rule is checked and reported, so a refusal lists all that failed, with numbers."""
    failures: list[str] = []
    passes: list[str] = []

    def record(ok: bool, text: str) -> None:
        (passes if ok else failures).append(text)

    record(
        candidate.ece <= config.max_ece,
        f"calibration: ECE {candidate.ece:.3f} {'<=' if candidate.ece <= config.max_ece else '>'} the bound {config.max_ece:.3f}",
    )
    if champion is None:
        ok = candidate.macro_f1 >= config.min_macro_f1
        record(ok, f"macro-F1 {candidate.macro_f1:.3f} {'>=' if ok else '<'} the floor {config.min_macro_f1:.3f} (no champion yet)")
    else:
        gain = candidate.macro_f1 - champion.macro_f1
        ok = gain > config.min_macro_f1_gain
        record(
            ok,
            f"macro-F1 {candidate.macro_f1:.3f} vs champion {champion.macro_f1:.3f}: gain {gain:+.3f} "
            f"{'>' if ok else '<='} the margin {config.min_macro_f1_gain:.3f}",
        )
        drops = []
        for category, before in sorted(champion.per_category.items()):
            after = candidate.per_category.get(category)
            if before.support < config.min_category_support or after is None:
                continue
            drop = before.f1 - after.f1
            if drop > config.max_category_f1_drop:
                drops.append(f"{category} {before.f1:.3f} -> {after.f1:.3f} (-{drop:.3f})")
        if drops:
            failures.append(f"category F1 fell by more than {config.max_category_f1_drop:.3f}: {', '.join(drops)}")
        else:
            passes.append(f"no category F1 (support >= {config.min_category_support}) fell by more than {config.max_category_f1_drop:.3f}")
    return GateDecision(passed=not failures, reasons=tuple(failures or passes))
