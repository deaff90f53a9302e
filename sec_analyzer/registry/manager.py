"""`ModelRegistryManager`: versions on disk, their status, promotion through the gate, rollback.

Layout under the root::

    {model_name}/{version}/metadata.json   the ModelRegistryEntry
    {model_name}/{version}/run_config.yaml the training run's resolved configuration
    {model_name}/{version}/metrics.json    the run's metrics (gold split included)
    {model_name}/{version}/artifacts/...   what the loader needs to serve it
    champion_history.jsonl                 every promotion and rollback, oldest first

There is one champion in the whole registry: the classifier the classified stage serves. Every
mutation holds an exclusive lock on `{root}/.lock`; a version is staged in a temporary folder
and renamed into place, and metadata is replaced atomically, so a killed process never leaves
a half-written version.
"""

from __future__ import annotations

import builtins
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sec_analyzer.registry.config import GateConfig, load_registry_config
from sec_analyzer.registry.entry import GoldFigures, ModelRegistryEntry, ModelStatus, RegistryError
from sec_analyzer.registry.gate import GateDecision, judge

METADATA_FILE = "metadata.json"
RUN_CONFIG_FILE = "run_config.yaml"
METRICS_FILE = "metrics.json"
ARTIFACTS_DIR = "artifacts"
HISTORY_FILE = "champion_history.jsonl"


@dataclass(frozen=True)
class PromotionOutcome:
    promoted: bool
    decision: GateDecision
    candidate: ModelRegistryEntry
    previous_champion: ModelRegistryEntry | None


class ModelRegistryManager:
    def __init__(self, root: Path, gate: GateConfig) -> None:
        self.root = Path(root)
        self.gate = gate

    @classmethod
    def from_config(cls, config_path: Path | None = None) -> ModelRegistryManager:
        """The registry of `configs/registry.yaml` (root overridden by `SEC_ANALYZER_REGISTRY_DIR`)."""
        config = load_registry_config(config_path)
        return cls(config.root, config.gate)

    # reading

    def version_dir(self, model_name: str, version: str) -> Path:
        return self.root / model_name / version

    def load(self, model_name: str, version: str) -> ModelRegistryEntry:
        path = self.version_dir(model_name, version) / METADATA_FILE
        if not path.is_file():
            known = ", ".join(entry.key for entry in self.list()) or "none"
            raise RegistryError(f"no model version {model_name}/{version} in {self.root} (registered: {known})")
        return ModelRegistryEntry.read(path)

    def list(self, model_name: str | None = None) -> builtins.list[ModelRegistryEntry]:
        """Entries oldest first (by creation time, then name and version number)."""
        pattern = f"{model_name}/v*/{METADATA_FILE}" if model_name else f"*/v*/{METADATA_FILE}"
        entries = [ModelRegistryEntry.read(path) for path in self.root.glob(pattern)]
        return sorted(entries, key=lambda entry: (entry.created_at, entry.model_name, int(entry.version[1:])))

    def champion(self) -> ModelRegistryEntry | None:
        champions = [entry for entry in self.list() if entry.status == ModelStatus.CHAMPION]
        if len(champions) > 1:
            raise RegistryError(f"the registry {self.root} has several champions: {', '.join(e.key for e in champions)}")
        return champions[0] if champions else None

    def resolve(self, entry: ModelRegistryEntry, relative: str) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else self.version_dir(entry.model_name, entry.version) / path

    def gold_figures(self, entry: ModelRegistryEntry) -> GoldFigures:
        return GoldFigures.from_metrics_file(self.resolve(entry, entry.metrics_path))

    def history(self) -> builtins.list[dict[str, str]]:
        path = self.root / HISTORY_FILE
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    # writing

    def create(
        self,
        *,
        model_name: str,
        kind: str,
        run_id: str,
        git_sha: str,
        data_version: str,
        run_config: Path,
        metrics: Path,
        artifacts: Mapping[str, Path],
    ) -> ModelRegistryEntry:
        """Register a trained model as the next version of `model_name`, status candidate.

        `artifacts` maps a name under `artifacts/` to a file or folder to copy there.
        """
        if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]{0,63}", model_name):
            raise RegistryError(f"model name {model_name!r} must be lower-case letters, digits, '_' or '-'")
        for source in (run_config, metrics, *artifacts.values()):
            if not Path(source).exists():
                raise RegistryError(f"cannot register {model_name}: {source} does not exist")
        with self._locked():
            version = f"v{self._next_version_number(model_name)}"
            target = self.version_dir(model_name, version)
            staging = Path(tempfile.mkdtemp(prefix=f".{model_name}-", dir=self.root))
            try:
                shutil.copy2(run_config, staging / RUN_CONFIG_FILE)
                shutil.copy2(metrics, staging / METRICS_FILE)
                artifact_paths = []
                for name, source in sorted(artifacts.items()):
                    destination = staging / ARTIFACTS_DIR / name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    if Path(source).is_dir():
                        shutil.copytree(source, destination)
                    else:
                        shutil.copy2(source, destination)
                    artifact_paths.append(f"{ARTIFACTS_DIR}/{name}")
                entry = ModelRegistryEntry(
                    model_name=model_name,
                    version=version,
                    kind=kind,
                    run_id=run_id,
                    git_sha=git_sha,
                    training_config_path=RUN_CONFIG_FILE,
                    data_version=data_version,
                    metrics_path=METRICS_FILE,
                    artifact_paths=artifact_paths,
                    created_at=datetime.now(UTC),
                )
                GoldFigures.from_metrics_file(staging / METRICS_FILE)  # the gate must be able to judge it later
                (staging / METADATA_FILE).write_text(entry.model_dump_json(indent=2) + "\n", encoding="utf-8")
                target.parent.mkdir(parents=True, exist_ok=True)
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return entry

    def promote(self, model_name: str, version: str, reason: str, *, force: bool = False) -> PromotionOutcome:
        """Make a candidate (or an archived version) champion if the gate lets it through.

        A refusal leaves every status as it was. `force` skips the gate (an operator's override);
        the reason then says so.
        """
        with self._locked():
            candidate = self.load(model_name, version)
            if candidate.status == ModelStatus.CHAMPION:
                raise RegistryError(f"{candidate.key} is already the champion")
            champion = self.champion()
            decision = judge(
                self.gold_figures(candidate), self.gold_figures(champion) if champion else None, self.gate
            )
            if not decision.passed and not force:
                return PromotionOutcome(False, decision, candidate, champion)
            why = f"{reason}: {decision.summary()}" + (" (gate overridden with --force)" if not decision.passed else "")
            if champion is not None:
                self._write_status(champion, ModelStatus.ARCHIVED, f"replaced by {candidate.key}")
            promoted = self._write_status(candidate, ModelStatus.CHAMPION, why)
            self._append_history("promote", promoted, why)
            return PromotionOutcome(True, decision, promoted, champion)

    def rollback(self, reason: str) -> ModelRegistryEntry:
        """Archive the champion and restore the champion before it; returns the restored entry."""
        with self._locked():
            champion = self.champion()
            if champion is None:
                raise RegistryError(f"the registry {self.root} has no champion to roll back")
            chain = self._champion_chain()
            if len(chain) < 2 or chain[-1] != champion.key:
                raise RegistryError(f"{champion.key} has no previous champion to roll back to")
            previous_name, previous_version = chain[-2].split("/")
            previous = self.load(previous_name, previous_version)
            self._write_status(champion, ModelStatus.ARCHIVED, f"rolled back: {reason}")
            restored = self._write_status(previous, ModelStatus.CHAMPION, f"restored by rollback of {champion.key}: {reason}")
            self._append_history("rollback", restored, reason)
            return restored

    def archive(self, model_name: str, version: str, reason: str) -> ModelRegistryEntry:
        with self._locked():
            entry = self.load(model_name, version)
            if entry.status == ModelStatus.CHAMPION:
                raise RegistryError(f"{entry.key} is the champion; promote another version or roll back first")
            return self._write_status(entry, ModelStatus.ARCHIVED, reason)

    # internals

    def _champion_chain(self) -> builtins.list[str]:
        """Champions in order, replaying the history: a promotion pushes, a rollback pops."""
        chain: builtins.list[str] = []
        for event in self.history():
            if event["action"] == "promote":
                chain.append(event["model"])
            elif event["action"] == "rollback" and chain:
                chain.pop()
        return chain

    def _next_version_number(self, model_name: str) -> int:
        numbers = [int(path.name[1:]) for path in (self.root / model_name).glob("v*") if path.name[1:].isdigit()]
        return max(numbers, default=0) + 1

    def _write_status(self, entry: ModelRegistryEntry, status: ModelStatus, reason: str) -> ModelRegistryEntry:
        updated = entry.model_copy(update={"status": status, "status_changed_at": datetime.now(UTC), "promoted_by": reason})
        ModelRegistryEntry.model_validate(updated.model_dump())
        path = self.version_dir(entry.model_name, entry.version) / METADATA_FILE
        staging = path.with_name(f".{METADATA_FILE}.{os.getpid()}")
        staging.write_text(updated.model_dump_json(indent=2) + "\n", encoding="utf-8")
        staging.replace(path)
        return updated

    def _append_history(self, action: str, entry: ModelRegistryEntry, reason: str) -> None:
        event = {"at": datetime.now(UTC).isoformat(), "action": action, "model": entry.key, "reason": reason}
        with (self.root / HISTORY_FILE).open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(event) + "\n")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
