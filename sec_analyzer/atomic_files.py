"""The one way a file is replaced: written beside its target under a temporary name, then renamed
into place, so a reader or a killed writer never sees half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: Path, write: Callable[[Path], object], *, prefix: str = ".partial-") -> Path:
    """`write(temporary)` fills a temporary file in `target`'s folder, which then replaces `target`.
    On any failure the temporary file is removed and `target` is left as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=prefix)
    os.close(descriptor)
    temporary = Path(name)
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    return target
