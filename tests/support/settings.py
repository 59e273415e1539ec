"""A service's settings class, found in its `ac_<service>.settings` module."""

from __future__ import annotations

import importlib

from ac_platform.settings import ServiceSettings


def settings_class(service: str) -> type[ServiceSettings]:
    """The one `ServiceSettings` subclass that `ac_<service>.settings` defines."""
    module = importlib.import_module(f"ac_{service}.settings")
    [cls] = [
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, ServiceSettings)
        and v.__module__ == module.__name__
    ]
    return cls
