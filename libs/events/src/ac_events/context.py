"""Request-scoped context that library code reads without being handed it."""

from __future__ import annotations

from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
"""The correlation id of the request (or event) being handled."""
