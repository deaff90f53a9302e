"""`sec-analyzer serve`: the results API and the dashboard with uvicorn."""

from __future__ import annotations

import socket

import click

from sec_analyzer.errors import SecAnalyzerError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the results API (/api, /docs) and the dashboard (/) over the results database."""
    import uvicorn

    from sec_analyzer.visualization.app import create_app

    app = create_app()  # a database that cannot be used is refused here, in one line
    _check_free(host, port)
    click.echo(f"dashboard on http://{host}:{port}/ · API reference on http://{host}:{port}/docs", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _check_free(host: str, port: int) -> None:
    """Uvicorn reports a taken port as a log line and exit status 3; say it as one error line."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise SecAnalyzerError(
            f"cannot listen on {host}:{port}: {error.strerror or error} (choose another --port)"
        ) from error
