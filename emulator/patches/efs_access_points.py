"""EFS access points as AWS behaves.

moto 5.2.1 creates a new access point for a repeated `ClientToken`, accepts unknown file
systems, silently "deletes" unknown access points, gives 8-hex-digit ids (AWS: 17, and Lambda's
`FileSystemConfigs.Arn` pattern requires 17) and ignores `MaxResults`/`NextToken`.
"""

import base64
import json
from typing import Any

from moto.efs.exceptions import AccessPointNotFound, BadRequest, EFSError, FileSystemNotFound
from moto.efs.models import AccessPoint, EFSBackend
from moto.efs.responses import EFSResponse
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

DEFAULT_MAX_RESULTS = 100


class AccessPointAlreadyExists(EFSError):
    code = 409

    def __init__(self, access_point_id: str):
        super().__init__(
            "AccessPointAlreadyExists",
            f"An access point with the client token you provided already exists: {access_point_id}, "
            "but with different parameters.",
        )
        self.description = json.dumps(
            {
                "__type": "AccessPointAlreadyExists",
                "ErrorCode": "AccessPointAlreadyExists",
                "Message": self.message,
                "message": self.message,
                "AccessPointId": access_point_id,
            }
        )


def _canonical_tags(tags: Any) -> list[tuple[str, str]]:
    return sorted((t.get("Key", ""), t.get("Value", "")) for t in tags or [])


def _same_request(
    backend: EFSBackend,
    existing: AccessPoint,
    tags: list[dict[str, str]],
    file_system_id: str,
    posix_user: Any,
    root_directory: Any,
) -> bool:
    return (
        existing.file_system_id == file_system_id
        and (existing.posix_user or None) == (posix_user or None)
        and existing.root_directory == (root_directory or {"Path": "/"})
        and _canonical_tags(backend.list_tags_for_resource(existing.access_point_id)) == _canonical_tags(tags)
    )


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise BadRequest("Invalid NextToken.")
    if not isinstance(offset, int) or offset < 0:
        raise BadRequest("Invalid NextToken.")
    return offset


def apply() -> None:
    original_init = AccessPoint.__init__
    original_create = EFSBackend.create_access_point

    def access_point_init(self: AccessPoint, account_id: str, region_name: str, *args: Any, **kwargs: Any) -> None:
        original_init(self, account_id, region_name, *args, **kwargs)
        self.access_point_id = f"fsap-{mock_random.get_random_hex(17)}"
        self.access_point_arn = (
            f"arn:{get_partition(region_name)}:elasticfilesystem:{region_name}:{account_id}"
            f":access-point/{self.access_point_id}"
        )

    def create_access_point(
        self: EFSBackend,
        client_token: str,
        tags: list[dict[str, str]],
        file_system_id: str,
        posix_user: dict[str, Any],
        root_directory: dict[str, Any],
    ) -> AccessPoint:
        if file_system_id not in self.file_systems_by_id:
            raise FileSystemNotFound(file_system_id)
        if client_token:
            for existing in self.access_points.values():
                if existing.client_token == client_token:
                    if _same_request(self, existing, tags, file_system_id, posix_user, root_directory):
                        return existing
                    raise AccessPointAlreadyExists(existing.access_point_id)
        return original_create(
            self,
            client_token,
            tags=tags,
            file_system_id=file_system_id,
            posix_user=posix_user,
            root_directory=root_directory,
        )

    def delete_access_point(self: EFSBackend, access_point_id: str) -> None:
        if access_point_id not in self.access_points:
            raise AccessPointNotFound(access_point_id)
        del self.access_points[access_point_id]
        self.tagging_service.delete_all_tags_for_resource(access_point_id)

    def describe_access_points(self: EFSResponse) -> tuple[str, dict[str, str]]:
        access_point_id = self._get_param("AccessPointId")
        file_system_id = self._get_param("FileSystemId")
        max_results = self._get_int_param("MaxResults", DEFAULT_MAX_RESULTS)
        next_token = self._get_param("NextToken")
        if access_point_id and file_system_id:
            raise BadRequest("AccessPointId and FileSystemId are mutually exclusive.")
        if max_results < 1:
            raise BadRequest("MaxResults must be at least 1.")
        if file_system_id and file_system_id not in self.efs_backend.file_systems_by_id:
            raise FileSystemNotFound(file_system_id)
        access_points = self.efs_backend.describe_access_points(access_point_id, file_system_id)
        start = _decode_token(next_token) if next_token else 0
        page = access_points[start : start + max_results]
        body: dict[str, Any] = {"AccessPoints": [ap.info_json() for ap in page]}
        if start + max_results < len(access_points):
            body["NextToken"] = _encode_token(start + max_results)
        return json.dumps(body), {"Content-Type": "application/json"}

    AccessPoint.__init__ = access_point_init  # type: ignore[method-assign]
    EFSBackend.create_access_point = create_access_point  # type: ignore[method-assign]
    EFSBackend.delete_access_point = delete_access_point  # type: ignore[method-assign]
    EFSResponse.describe_access_points = describe_access_points  # type: ignore[method-assign]
