"""`sec-analyzer edgar-mirror serve DIR`: run the local EDGAR mirror until interrupted."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from sec_analyzer.edgar_mirror.content import MirrorContentError
from sec_analyzer.edgar_mirror.server import DEFAULT_RATE_LIMIT_BLOCK_SECONDS, EdgarMirror


@click.group(name="edgar-mirror")
def edgar_mirror() -> None:
    """Serve a folder of filings as a local EDGAR (point EDGAR_BASE_URL and EDGAR_DATA_URL at it)."""


@edgar_mirror.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--port", type=int, default=8765, show_default=True, help="Port to listen on (0: any free port)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--samples",
    "samples_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of recorded EDGAR responses to serve too (layout of edgar-samples).",
)
@click.option(
    "--rate-limit-block-seconds",
    type=float,
    default=DEFAULT_RATE_LIMIT_BLOCK_SECONDS,
    show_default=True,
    help="How long a client that exceeds 10 requests/s is refused.",
)
def serve(
    directory: Path, port: int, host: str, samples_dir: Path | None, rate_limit_block_seconds: float
) -> None:
    """Serve the filings of DIRECTORY (<FORM>/<TICKER>/<ID>/primary-document.html + metadata.json)."""
    mirror = EdgarMirror(
        directory,
        samples_dir=samples_dir,
        port=port,
        host=host,
        rate_limit_block_seconds=rate_limit_block_seconds,
    )
    if mirror.filing_count == 0:
        mirror.stop()
        raise MirrorContentError(
            f"{directory} holds no filings (expected <FORM>/<TICKER>/<ID>/metadata.json)"
        )
    stop_requested = threading.Event()

    def request_stop(signal_number: int, frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with mirror:
        click.echo(
            f"EDGAR mirror serving {mirror.filing_count} filings of {mirror.company_count} companies at {mirror.base_url}"
        )
        stop_requested.wait()
