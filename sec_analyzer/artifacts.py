"""Per-filing stage outputs on local disk: `<root>/<stage>/<partition key>.<ext>`.

Each stage writes one file per filing and later stages read it, so a filing is parsed once and
a batched run can process many filings in one step. Writes go to a temporary file in the same
folder and are renamed into place, so a killed run never leaves a half-written artifact;
re-materializing a partition replaces its file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # pandas costs ~0.4 s to import and the Dagster code server loads this module.
    import pandas as pd


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, stage: str, key: str, extension: str) -> Path:
        return self.root / stage / f"{key}.{extension}"

    def exists(self, stage: str, key: str, extension: str = "json") -> bool:
        return self.path(stage, key, extension).exists()

    def write_json(self, stage: str, key: str, payload: Any) -> Path:
        text = json.dumps(payload, ensure_ascii=False, indent=1, default=str)
        return self._write_atomically(self.path(stage, key, "json"),
                                      lambda temporary: temporary.write_text(text, encoding="utf-8"))

    def read_json(self, stage: str, key: str) -> Any:
        return json.loads(self.path(stage, key, "json").read_text(encoding="utf-8"))

    def write_parquet(self, stage: str, key: str, frame: pd.DataFrame) -> Path:
        return self._write_atomically(self.path(stage, key, "parquet"),
                                      lambda temporary: frame.to_parquet(temporary, index=False))

    def read_parquet(self, stage: str, key: str) -> pd.DataFrame:
        import pandas as pd

        return pd.read_parquet(self.path(stage, key, "parquet"))

    def _write_atomically(self, target: Path, write: Callable[[Path], object]) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
        try:
            write(temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return target
