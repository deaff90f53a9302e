"""Passwords kept out of anything a person sees: messages, logs, reports, command output.

Kept free of heavy imports: the CLI runs every error line through it.
"""

from __future__ import annotations

import re

MASK = "***"

# The password of `scheme://user:password@host…`: the user part stops at the first ':' and holds
# no '/', '?', '#' or '@'; the password runs to the last '@' before the next whitespace, because
# people paste passwords with an unescaped '@' or '/' in them.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@\s]*:)[^\s]*@")
# libpq and MongoDB also accept the password as a query parameter.
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&](?:password|pass|pwd)=)[^&#\s]*", re.IGNORECASE)


def masked_url(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***`."""
    masked = _URL_PASSWORD.sub(lambda match: f"{match['head']}{MASK}@", text)
    return _QUERY_PASSWORD.sub(lambda match: f"{match['head']}{MASK}", masked)
