"""Errors a user can act on. The CLI prints them as one line, never as a stack trace."""


class SecAnalyzerError(Exception):
    """Base of every error that carries a message meant for the user."""


class ConfigurationError(SecAnalyzerError):
    """A setting is missing or wrong; the message says which and how to set it."""
