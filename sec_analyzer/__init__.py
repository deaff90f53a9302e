"""sec-analyzer: SEC 10-K filings to analysed risk factors, as a Dagster asset graph."""

__version__ = "0.1.0"
