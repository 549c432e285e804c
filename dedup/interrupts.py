"""Errors that are a Ctrl-C in disguise.

A signal arrives between two bytecodes; when those run inside a C extension's
callback (Numba's dispatcher typing its arguments, for one), the extension may
return a result with the ``KeyboardInterrupt`` still set, and Python reports
``SystemError: ... returned a result with an exception set`` caused by it. Such
an error must stop a run as Ctrl-C does (exit 130, no partial output), never
count as one bad file.
"""

from __future__ import annotations

__all__ = ["interrupted"]


def interrupted(error: BaseException) -> bool:
    """Whether ``error`` is a ``KeyboardInterrupt`` or was raised because of one.

    Example:
        >>> try:
        ...     try:
        ...         raise KeyboardInterrupt
        ...     except KeyboardInterrupt as cause:
        ...         raise SystemError("returned a result with an exception set") from cause
        ... except SystemError as error:
        ...     interrupted(error), interrupted(ValueError("bad input"))
        (True, False)
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
