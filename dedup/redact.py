"""Credentials out of every message: :func:`redact` masks passwords in URLs.

Every message and log line that shows a location a user gave (an index URL, a
cluster address) passes it through :func:`redact` first, so that
``redis://:secret@host/0`` is shown as ``redis://:***@host/0``.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

MASK = "***"

# scheme://userinfo@ : the userinfo is "user:password", or a bare token. Up to the
# last "@" of the URL, so that a password holding "@", "/" or "#" is masked whole.
_USERINFO = re.compile(r"""(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s'"<>]*)@""")
# ?password=... and the like in a query string
_SECRET_QUERY = re.compile(
    r"(?P<name>[?&;](?:password|passwd|pass|pwd|secret|token|auth|access_key|api_key|apikey)=)"
    r"[^&;#\s]*",
    re.IGNORECASE,
)


def redact(text: object) -> str:
    """Return ``text`` (any object, as ``str``) with the credentials of every URL in it masked.

    A user name stays; a password, a bare token before ``@`` and a secret
    query parameter (``password=``, ``token=``, ...) become ``***``.

    Example:
        >>> redact("cannot reach redis://:hunter2@cache:6379/0")
        'cannot reach redis://:***@cache:6379/0'
        >>> redact("rediss://app:s3cr%40t@cache/1?password=x&db=2")
        'rediss://app:***@cache/1?password=***&db=2'
        >>> redact("'redis://:p@ss/w#rd@cache:6379/0' and index.sqlite")
        "'redis://:***@cache:6379/0' and index.sqlite"
        >>> redact("redis://cache:6379/0")
        'redis://cache:6379/0'
    """
    masked = _USERINFO.sub(_mask_userinfo, str(text))
    return _SECRET_QUERY.sub(lambda match: match["name"] + MASK, masked)


def _mask_userinfo(match: re.Match[str]) -> str:
    user, colon, _ = match["userinfo"].partition(":")
    if not colon:  # a bare token (or a user name alone): mask it whole
        return f"{match['scheme']}{MASK}@" if user else match[0]
    return f"{match['scheme']}{user}:{MASK}@"
