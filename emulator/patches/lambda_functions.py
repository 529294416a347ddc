"""Lambda function configuration as AWS stores and returns it.

moto 5.2.1 drops `FileSystemConfigs` and `LoggingConfig`, reports every `VpcConfig.VpcId` as
`vpc-123abc` and never checks that the VPC subnets and security groups exist. This keeps the
three settings on moto's `LambdaFunction` object (so a moto reset wipes them) and validates
them the way the Lambda API does.
"""

import re
from typing import Any

from moto.awslambda.exceptions import InvalidParameterValueException, ValidationException
from moto.awslambda.models import LambdaFunction
from moto.ec2 import ec2_backends
from moto.ec2.exceptions import InvalidSubnetIdError

# Patterns of the Lambda API model (botocore `lambda/2015-03-31`).
LOCAL_MOUNT_PATH = re.compile(r"^/mnt/[a-zA-Z0-9-_.]+$")
ACCESS_POINT_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}"
    r":access-point/fsap-[a-f0-9]{17}$"
)
LOG_GROUP = re.compile(r"^[\.\-_/#A-Za-z0-9]+$")
LOG_FORMATS = ("Text", "JSON")
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")

_UNSET = object()


def _ec2(fn: LambdaFunction) -> Any:
    return ec2_backends[fn.account_id][fn.region]


def _resolve_vpc_id(fn: LambdaFunction, vpc_config: dict[str, Any] | None) -> str:
    """The VPC of the configured subnets; raises as Lambda does for unknown subnets or groups."""
    if not vpc_config:
        return ""
    ec2 = _ec2(fn)
    vpc_ids = []
    for subnet_id in vpc_config.get("SubnetIds") or []:
        try:
            vpc_ids.append(ec2.get_subnet(subnet_id).vpc_id)
        except InvalidSubnetIdError:
            raise InvalidParameterValueException(
                "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. "
                f"EC2 Error Message: The subnet ID '{subnet_id}' does not exist"
            )
    if len(set(vpc_ids)) > 1:
        raise InvalidParameterValueException("Subnets must all belong to the same VPC.")
    for group_id in vpc_config.get("SecurityGroupIds") or []:
        if ec2.get_security_group_from_id(group_id) is None:
            raise InvalidParameterValueException(
                "Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. "
                f"EC2 Error Message: The security group '{group_id}' does not exist"
            )
    return vpc_ids[0] if vpc_ids else ""


def _validate_file_system_configs(configs: Any, vpc_config: dict[str, Any] | None) -> list[dict[str, str]]:
    if configs is None:
        return []
    if not isinstance(configs, list):
        raise InvalidParameterValueException("FileSystemConfigs must be a list.")
    if len(configs) > 1:
        raise ValidationException(
            str(configs), "fileSystemConfigs", "Member must have length less than or equal to 1"
        )
    result = []
    for index, config in enumerate(configs, start=1):
        arn = config.get("Arn") or ""
        path = config.get("LocalMountPath") or ""
        if not ACCESS_POINT_ARN.match(arn):
            raise ValidationException(
                arn,
                f"fileSystemConfigs.{index}.member.arn",
                f"Member must satisfy regular expression pattern: {ACCESS_POINT_ARN.pattern}",
            )
        if len(path) > 160 or not LOCAL_MOUNT_PATH.match(path):
            raise ValidationException(
                path,
                f"fileSystemConfigs.{index}.member.localMountPath",
                "Member must satisfy regular expression pattern: /mnt/[a-zA-Z0-9-_.]+",
            )
        result.append({"Arn": arn, "LocalMountPath": path})
    if result and not (vpc_config and vpc_config.get("SubnetIds")):
        raise InvalidParameterValueException(
            "Function with a file system configuration must be configured with a VPC "
            "(VpcConfig with SubnetIds and SecurityGroupIds)."
        )
    return result


def _merge_logging_config(fn: LambdaFunction, current: dict[str, str] | None, update: Any) -> dict[str, str]:
    base = dict(current) if current else {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn.function_name}"}
    if update is None:
        return base
    if not isinstance(update, dict):
        raise InvalidParameterValueException("LoggingConfig must be an object.")
    merged = {**base, **{k: v for k, v in update.items() if v is not None}}
    if merged["LogFormat"] not in LOG_FORMATS:
        raise ValidationException(
            merged["LogFormat"], "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]"
        )
    group = merged.get("LogGroup", "")
    if not (1 <= len(group) <= 512 and LOG_GROUP.match(group)):
        raise ValidationException(
            group, "loggingConfig.logGroup", "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
        )
    if merged["LogFormat"] == "JSON":
        merged.setdefault("ApplicationLogLevel", "INFO")
        merged.setdefault("SystemLogLevel", "INFO")
        if merged["ApplicationLogLevel"] not in APPLICATION_LOG_LEVELS:
            raise ValidationException(
                merged["ApplicationLogLevel"],
                "loggingConfig.applicationLogLevel",
                f"Member must satisfy enum value set: [{', '.join(APPLICATION_LOG_LEVELS)}]",
            )
        if merged["SystemLogLevel"] not in SYSTEM_LOG_LEVELS:
            raise ValidationException(
                merged["SystemLogLevel"],
                "loggingConfig.systemLogLevel",
                f"Member must satisfy enum value set: [{', '.join(SYSTEM_LOG_LEVELS)}]",
            )
    else:
        # Log levels only apply to JSON logs; Lambda does not report them for Text.
        merged.pop("ApplicationLogLevel", None)
        merged.pop("SystemLogLevel", None)
    return merged


def apply() -> None:
    original_init = LambdaFunction.__init__
    original_get_configuration = LambdaFunction.get_configuration
    original_update_configuration = LambdaFunction.update_configuration

    def __init__(self: LambdaFunction, account_id: str, spec: dict[str, Any], region: str, version: Any = 1) -> None:
        original_init(self, account_id, spec, region, version)
        vpc_config = spec.get("VpcConfig")
        self._efsr_vpc_id = _resolve_vpc_id(self, vpc_config)
        self._efsr_file_system_configs = _validate_file_system_configs(spec.get("FileSystemConfigs"), vpc_config)
        self._efsr_logging_config = _merge_logging_config(self, None, spec.get("LoggingConfig"))

    def vpc_config(self: LambdaFunction) -> dict[str, Any] | None:
        if not self._vpc_config:
            return None
        return {
            "SubnetIds": list(self._vpc_config.get("SubnetIds") or []),
            "SecurityGroupIds": list(self._vpc_config.get("SecurityGroupIds") or []),
            "VpcId": getattr(self, "_efsr_vpc_id", ""),
            "Ipv6AllowedForDualStack": bool(self._vpc_config.get("Ipv6AllowedForDualStack", False)),
        }

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
        config = original_get_configuration(self, on_create)
        file_system_configs = getattr(self, "_efsr_file_system_configs", [])
        if file_system_configs:
            config["FileSystemConfigs"] = [dict(c) for c in file_system_configs]
        config["LoggingConfig"] = dict(
            getattr(self, "_efsr_logging_config", None) or _merge_logging_config(self, None, None)
        )
        return config

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        # Validate everything before changing anything, as one API call is all-or-nothing.
        vpc_config = config_updates.get("VpcConfig", _UNSET)
        effective_vpc = self._vpc_config if vpc_config is _UNSET else vpc_config
        vpc_id = self._efsr_vpc_id if vpc_config is _UNSET else _resolve_vpc_id(self, vpc_config)
        if "FileSystemConfigs" in config_updates:
            file_system_configs = _validate_file_system_configs(config_updates["FileSystemConfigs"], effective_vpc)
        else:
            file_system_configs = _validate_file_system_configs(self._efsr_file_system_configs, effective_vpc)
        logging_config = _merge_logging_config(self, self._efsr_logging_config, config_updates.get("LoggingConfig"))

        original_update_configuration(self, config_updates)
        self._efsr_vpc_id = vpc_id
        self._efsr_file_system_configs = file_system_configs
        self._efsr_logging_config = logging_config
        return self.get_configuration()

    LambdaFunction.__init__ = __init__  # type: ignore[method-assign]
    LambdaFunction.vpc_config = property(vpc_config)  # type: ignore[assignment,method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
