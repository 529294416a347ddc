"""EFS file-system operations moto 5.2.1 lacks: UpdateFileSystem and PutBackupPolicy.

moto answers both with HTTP 500, and DescribeBackupPolicy fails for file systems created without
`Backup: true`. AWS gives every file system a backup policy (DISABLED unless enabled).
DescribeFileSystemPolicy of an unknown file system is an HTTP 500 in moto, `FileSystemNotFound`
in AWS.
"""

import json
from typing import Any

from moto.efs.exceptions import BadRequest, FileSystemNotFound
from moto.efs.models import EFSBackend, FileSystem
from moto.efs.responses import EFSResponse

THROUGHPUT_MODES = ("bursting", "provisioned", "elastic")
BACKUP_STATUSES = ("ENABLED", "DISABLED")


def _file_system(backend: EFSBackend, file_system_id: str) -> FileSystem:
    file_system = backend.file_systems_by_id.get(file_system_id)
    if file_system is None:
        raise FileSystemNotFound(file_system_id)
    return file_system


def update_file_system(
    backend: EFSBackend,
    file_system_id: str,
    throughput_mode: str | None,
    provisioned_throughput_in_mibps: float | None,
) -> FileSystem:
    file_system = _file_system(backend, file_system_id)
    if throughput_mode is not None and throughput_mode not in THROUGHPUT_MODES:
        raise BadRequest(f"ThroughputMode must be one of {', '.join(THROUGHPUT_MODES)}.")
    mode = throughput_mode or file_system.throughput_mode
    if mode == "provisioned":
        mibps = provisioned_throughput_in_mibps
        if mibps is None and throughput_mode is None:
            mibps = file_system.provisioned_throughput_in_mibps
        if mibps is None:
            raise BadRequest("ProvisionedThroughputInMibps is required when ThroughputMode is provisioned.")
        if mibps < 1:
            raise BadRequest("ProvisionedThroughputInMibps must be at least 1.")
    else:
        if provisioned_throughput_in_mibps is not None:
            raise BadRequest("ProvisionedThroughputInMibps can only be set when ThroughputMode is provisioned.")
        mibps = None
    file_system.throughput_mode = mode
    file_system.provisioned_throughput_in_mibps = mibps
    return file_system


def describe_backup_policy(backend: EFSBackend, file_system_id: str) -> dict[str, str]:
    file_system = _file_system(backend, file_system_id)
    return {"Status": "ENABLED" if file_system._backup else "DISABLED"}


def put_backup_policy(backend: EFSBackend, file_system_id: str, policy: Any) -> dict[str, str]:
    file_system = _file_system(backend, file_system_id)
    status = policy.get("Status") if isinstance(policy, dict) else None
    if status not in BACKUP_STATUSES:
        raise BadRequest(f"BackupPolicy.Status must be one of {', '.join(BACKUP_STATUSES)}.")
    file_system._backup = status == "ENABLED"
    return {"Status": status}


def apply() -> None:
    def response_update_file_system(self: EFSResponse) -> tuple[str, dict[str, Any]]:
        file_system = update_file_system(
            self.efs_backend,
            self._get_param("FileSystemId"),
            self._get_param("ThroughputMode"),
            self._get_param("ProvisionedThroughputInMibps"),
        )
        return json.dumps(file_system.info_json()), {"status": 202, "Content-Type": "application/json"}

    def response_put_backup_policy(self: EFSResponse) -> tuple[str, dict[str, Any]]:
        policy = put_backup_policy(self.efs_backend, self._get_param("FileSystemId"), self._get_param("BackupPolicy"))
        return json.dumps({"BackupPolicy": policy}), {"Content-Type": "application/json"}

    def backend_describe_backup_policy(self: EFSBackend, file_system_id: str) -> dict[str, str]:
        return describe_backup_policy(self, file_system_id)

    EFSResponse.update_file_system = response_update_file_system  # type: ignore[attr-defined]
    EFSResponse.put_backup_policy = response_put_backup_policy  # type: ignore[attr-defined]
    original_describe_file_system_policy = EFSBackend.describe_file_system_policy

    def backend_describe_file_system_policy(self: EFSBackend, file_system_id: str) -> str:
        _file_system(self, file_system_id)
        return original_describe_file_system_policy(self, file_system_id)

    EFSBackend.describe_backup_policy = backend_describe_backup_policy  # type: ignore[method-assign]
    EFSBackend.describe_file_system_policy = backend_describe_file_system_policy  # type: ignore[method-assign]
