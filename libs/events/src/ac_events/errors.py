"""Error texts that are safe to log, put in headers, or carry in exceptions."""

from __future__ import annotations

from pydantic import ValidationError

MAX_ERROR_CHARS = 500


def describe_error(exc: BaseException) -> str:
    """A short, personal-data-free description of an error, for headers and logs.

    Pydantic validation errors echo the offending input (possibly a decrypted
    personal value), so wherever one is in the cause chain only its field
    locations and error kinds are kept.
    """
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ValidationError):
            kinds = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['type']}"
                for e in cause.errors(include_url=False, include_input=False, include_context=False)
            )
            text = f"{type(exc).__name__}: {cause.title} validation failed ({kinds})"
            return text[:MAX_ERROR_CHARS]
        cause = cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
