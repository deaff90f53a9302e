"""What a change of the serving model, or a critical drift, sets off — decided in plain code.

A promotion or a rollback changes the champion; every published filing is then classified again
by the new champion (and published again, changes recomputed), so the database never mixes model
versions silently. The registry's history says when that happened: its length is the sensor's
cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import PUBLISHED

if TYPE_CHECKING:
    from sec_analyzer.registry.manager import ModelRegistryManager


@dataclass(frozen=True)
class ChampionChange:
    cursor: str
    champion: str | None  # registry key, e.g. minilm_logreg/v1; None = the zero-shot classifier


def champion_change(manager: ModelRegistryManager, previous_cursor: str | None) -> ChampionChange | None:
    """The registry's current champion when it changed since `previous_cursor`, else None."""
    champion = manager.champion()
    cursor = f"{len(manager.history())}:{champion.key if champion else '-'}"
    if cursor == previous_cursor:
        return None
    return ChampionChange(cursor, champion.key if champion else None)


def published_filings(artifacts: ArtifactStore, partition_keys: Sequence[str]) -> list[str]:
    """The filings that reached the results database, in the given order."""
    return [key for key in partition_keys if PUBLISHED.read_summary(artifacts, key).ok]
