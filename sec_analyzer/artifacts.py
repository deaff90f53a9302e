"""Per-filing stage outputs on local disk: `<root>/<stage>/<partition key>.<ext>`.

Each stage writes one file per filing and later stages read it, so a filing is parsed once and
a batched run can process many filings in one step. Writes go to a temporary file in the same
folder and are renamed into place, so a killed run never leaves a half-written artifact;
re-materializing a partition replaces its file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sec_analyzer.atomic_files import write_atomically
from sec_analyzer.domain import echo, parse_filing_key
from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    # pandas costs ~0.4 s to import and the Dagster code server loads this module.
    import pandas as pd


# Stage names and extensions are the code's own; keys come from Dagster partitions, which the UI
# and GraphQL accept unchecked, so they are parsed as filing keys before they name a file.
_PATH_PART = re.compile(r"^[a-z0-9_]{1,64}$")


class ArtifactPathError(SecAnalyzerError):
    """A stage, key or extension would name a file outside the artifacts folder."""


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def path(self, stage: str, key: str, extension: str) -> Path:
        """`<root>/<stage>/<key>.<extension>`, refused unless it lies inside the root."""
        if not (_PATH_PART.match(stage) and _PATH_PART.match(extension)):
            raise ArtifactPathError(f"not an artifact stage/extension: {echo(stage)}, {echo(extension)}")
        path = self.root / stage / f"{parse_filing_key(key)}.{extension}"
        if not path.resolve().is_relative_to(self.root):
            raise ArtifactPathError(f"artifact path {path} leaves the artifacts folder {self.root}")
        return path

    def exists(self, stage: str, key: str, extension: str = "json") -> bool:
        return self.path(stage, key, extension).exists()

    def write_json(self, stage: str, key: str, payload: Any) -> Path:
        text = json.dumps(payload, ensure_ascii=False, indent=1, default=str)
        return write_atomically(self.path(stage, key, "json"),
                                      lambda temporary: temporary.write_text(text, encoding="utf-8"))

    def read_json(self, stage: str, key: str) -> Any:
        return json.loads(self.path(stage, key, "json").read_text(encoding="utf-8"))

    def write_parquet(self, stage: str, key: str, frame: pd.DataFrame) -> Path:
        return write_atomically(self.path(stage, key, "parquet"),
                                      lambda temporary: frame.to_parquet(temporary, index=False))

    def read_parquet(self, stage: str, key: str) -> pd.DataFrame:
        import pandas as pd

        return pd.read_parquet(self.path(stage, key, "parquet"))
