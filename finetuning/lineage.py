"""Run lineage: every training or evaluation run gets its own folder and id.

`models/experiments/{YYYYMMDD_HHMMSS}_{name}_{git_sha}/` holds `run_config.yaml` (the resolved
configuration, the data version and the seed), `metrics.json` and the run's artifacts. The run id
is the folder's name and is written into every file the run writes, so a file that travels alone
still says where it came from.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
UNKNOWN_SHA = "nogit"


def git_sha() -> str:
    """The checkout's short commit, with `-dirty` when tracked files changed; `nogit` outside git."""
    executable = shutil.which("git")
    if executable is None:
        return UNKNOWN_SHA
    try:
        # fixed argument lists and no shell: nothing a user types reaches the command
        sha = subprocess.run(  # noqa: S603  # nosec B603
            [executable, "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        changed = subprocess.run(  # noqa: S603  # nosec B603
            [executable, "diff", "--quiet", "HEAD", "--"], cwd=REPO_ROOT, capture_output=True, timeout=30, check=False
        ).returncode
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN_SHA
    return f"{sha}-dirty" if changed else sha


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class RunContext:
    name: str
    directory: Path
    run_id: str
    git_sha: str
    started_at: datetime
    files: list[Path] = field(default_factory=list)

    @classmethod
    def start(cls, name: str, experiments_dir: Path) -> RunContext:
        started = datetime.now(UTC)
        sha = git_sha()
        stamp = started.strftime("%Y%m%d_%H%M%S")
        run_id = f"{stamp}_{name}_{sha}"
        directory = Path(experiments_dir) / run_id
        suffix = 1
        while directory.exists():  # two runs of one name within a second
            suffix += 1
            run_id = f"{stamp}_{name}_{sha}_{suffix}"
            directory = Path(experiments_dir) / run_id
        directory.mkdir(parents=True)
        return cls(name, directory, run_id, sha, started)

    @property
    def artifacts_dir(self) -> Path:
        path = self.directory / "artifacts"
        path.mkdir(exist_ok=True)
        return path

    @property
    def run_config_path(self) -> Path:
        return self.directory / "run_config.yaml"

    @property
    def metrics_path(self) -> Path:
        return self.directory / "metrics.json"

    def write_config(self, config: dict[str, Any], *, data_version: str, seed: int) -> Path:
        document = {"run_id": self.run_id, "git_sha": self.git_sha, "started_at": self.started_at.isoformat(),
                    "seed": seed, "data_version": data_version, "config": config}
        self.run_config_path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return self.run_config_path

    def write_json(self, relative: str, payload: dict[str, Any]) -> Path:
        path = self.directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"run_id": self.run_id, **payload}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def write_metrics(self, payload: dict[str, Any]) -> Path:
        return self.write_json("metrics.json", payload)
