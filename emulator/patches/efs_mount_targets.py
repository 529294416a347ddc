"""EFS mount targets: lifecycle, default security group, security-group validation.

- AWS keeps a new mount target `creating` for a minute or more; moto makes it `available` at
  once. With the `mountTargetCreatingDescribes` knob set to N, each new mount target reports
  `creating` for its first N appearances in DescribeMountTargets (0, the default, keeps moto's
  behaviour).
- Without `SecurityGroups`, AWS attaches the VPC's default security group; moto attaches it to
  the network interface but reports no security groups for the mount target.
- ModifyMountTargetSecurityGroups with an unknown group breaks moto's network interface;
  AWS answers SecurityGroupNotFound (and SecurityGroupLimitExceeded above five groups).
"""

import threading
from typing import Any

from moto.efs.exceptions import (
    MountTargetNotFound,
    SecurityGroupLimitExceeded,
    SecurityGroupNotFound,
    SubnetNotFound,
)
from moto.efs.models import EFSBackend, MountTarget
from moto.ec2.exceptions import InvalidSubnetIdError

from . import control

MAX_SECURITY_GROUPS = 5

_lock = threading.Lock()


def _report_appearance(mount_target: MountTarget) -> None:
    with _lock:
        remaining = getattr(mount_target, "_efsr_creating_describes_left", 0)
        if remaining > 0:
            mount_target.life_cycle_state = "creating"
            mount_target._efsr_creating_describes_left = remaining - 1
        elif mount_target.life_cycle_state == "creating":
            mount_target.life_cycle_state = "available"


def apply() -> None:
    original_create = EFSBackend.create_mount_target
    original_describe = EFSBackend.describe_mount_targets
    original_modify = EFSBackend.modify_mount_target_security_groups

    def create_mount_target(
        self: EFSBackend,
        file_system_id: str,
        subnet_id: str,
        ip_address: str | None = None,
        security_groups: list[str] | None = None,
    ) -> MountTarget:
        if not security_groups:
            try:
                subnet = self.ec2_backend.get_subnet(subnet_id)
            except InvalidSubnetIdError:
                raise SubnetNotFound(subnet_id)
            default_group = self.ec2_backend.get_default_security_group(subnet.vpc_id)
            security_groups = [default_group.id] if default_group else None
        mount_target = original_create(self, file_system_id, subnet_id, ip_address, security_groups)
        creating_describes = control.get("mountTargetCreatingDescribes")
        if creating_describes > 0:
            mount_target.life_cycle_state = "creating"
            mount_target._efsr_creating_describes_left = creating_describes
        return mount_target

    def describe_mount_targets(self: EFSBackend, *args: Any, **kwargs: Any) -> tuple[str | None, list[MountTarget]]:
        next_marker, mount_targets = original_describe(self, *args, **kwargs)
        for mount_target in mount_targets:
            _report_appearance(mount_target)
        return next_marker, mount_targets

    def modify_mount_target_security_groups(self: EFSBackend, mount_target_id: str, security_groups: list[str]) -> None:
        if mount_target_id not in self.mount_targets_by_id:
            raise MountTargetNotFound(mount_target_id)
        security_groups = security_groups or []
        if len(security_groups) > MAX_SECURITY_GROUPS:
            raise SecurityGroupLimitExceeded("The maximum number of security groups per interface has been reached.")
        for group_id in security_groups:
            if self.ec2_backend.get_security_group_from_id(group_id) is None:
                raise SecurityGroupNotFound(group_id)
        original_modify(self, mount_target_id, security_groups)

    EFSBackend.create_mount_target = create_mount_target  # type: ignore[method-assign]
    EFSBackend.describe_mount_targets = describe_mount_targets  # type: ignore[method-assign]
    EFSBackend.modify_mount_target_security_groups = modify_mount_target_security_groups  # type: ignore[method-assign]
