"""Test-only knobs of the emulator, set through `POST /efs-reconciler/config`.

The `faults` key goes to faults.py (fault injection); it shows in the snapshot only while set.
State that belongs to AWS resources lives on moto's own model objects, so moto's reset wipes it;
only these knobs live here, and every reset (`/efs-reconciler/reset` or `/moto-api/reset`)
restores their defaults.
"""

import threading
from typing import Any

from moto.moto_api._internal.models import MotoAPIBackend

from . import faults

DEFAULTS: dict[str, int] = {"mountTargetCreatingDescribes": 0}

_lock = threading.Lock()
_config: dict[str, int] = dict(DEFAULTS)


class ConfigError(ValueError):
    pass


def get(key: str) -> int:
    with _lock:
        return _config[key]


def snapshot() -> dict[str, Any]:
    with _lock:
        out: dict[str, Any] = dict(_config)
    fault_config = faults.snapshot()
    if fault_config is not None:
        out["faults"] = fault_config
    return out


def update(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise ConfigError("config must be a JSON object")
    knobs = {key: value for key, value in values.items() if key != "faults"}
    for key, value in knobs.items():
        if key not in DEFAULTS:
            raise ConfigError(f"unknown config key {key!r}; known keys: {sorted([*DEFAULTS, 'faults'])}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{key} must be a non-negative integer, got {value!r}")
    if "faults" in values:
        try:
            faults.configure(values["faults"])
        except faults.FaultConfigError as err:
            raise ConfigError(str(err)) from err
    with _lock:
        _config.update(knobs)
    return snapshot()


def reset_config() -> None:
    with _lock:
        _config.clear()
        _config.update(DEFAULTS)
    faults.reset()


def reset_everything() -> None:
    """Wipe every moto backend (as `/moto-api/reset` does) and the knobs."""
    from moto.moto_api import _internal

    _internal.moto_api_backend.reset()


def apply() -> None:
    original_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        original_reset(self)
        reset_config()

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
