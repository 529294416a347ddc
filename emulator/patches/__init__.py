"""Corrections applied to moto 5.2.1 before its server starts.

Each module fixes one place where moto answers differently from AWS; every fix is covered by a
wire-level test in tests/integration/emulator/.
"""

from . import (
    cloudwatch_alarms,
    control,
    efs_access_points,
    efs_file_systems,
    efs_mount_targets,
    iam_policies,
    lambda_functions,
    server_routing,
)

_applied = False


def apply_all() -> None:
    """Install every correction once (idempotent)."""
    global _applied
    if _applied:
        return
    lambda_functions.apply()
    efs_file_systems.apply()
    efs_access_points.apply()
    efs_mount_targets.apply()
    iam_policies.apply()
    cloudwatch_alarms.apply()
    control.apply()
    server_routing.apply()
    _applied = True
