"""Fault injection: AWS's own error answers for chosen calls, decided deterministically.

Set through `POST /efs-reconciler/config {"faults": {...}}` (`{"faults": null}` turns it off; every
reset does too) and inspected through `GET /efs-reconciler/faults`. Only signed calls to EC2, EFS
and Lambda are considered; a call that gets a fault never reaches moto, so it changes nothing.

    {
      "seed": 42,                          # seed of the throttling decisions (default 0)
      "rate": 0.2,                         # share of calls answered with throttling (0..1)
      "services": ["ec2", "efs", "lambda"],  # services the throttling applies to (default: all three)
      "rules": [                           # deterministic errors, checked first, in order
        {"service": "ec2", "operation": "RevokeSecurityGroupIngress", "match": "sgr-0abc",
         "error": "accessDenied", "skip": 0, "times": 1}
      ],
      "failMutationsAfter": 3,             # crash stand-in: every mutating call after the 3rd fails
      "mutationError": "accessDenied"      # ... with this error (default accessDenied)
    }

A rule matches when every field it names matches: `service`, `operation` (the API operation
name), `match` (a substring of the request's path, query and body), `mutating` (true/false).
It lets `skip` matching calls through, then fails the next `times` ones (omitted: all of them).

Throttling is decided per call from `Random(f"{seed}:{service}:{operation}:{n}")`, n counting
that operation's calls: the same seed and the same calls give the same answers, whatever the
interleaving of concurrent calls of different operations.

Errors (`error`): `throttle` (each service's own throttling answer), `accessDenied`,
`expiredToken`, `invalidToken` — each in its service's protocol, status and error shape.
"""

import io
import json
import random
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

SERVICES = ("ec2", "efs", "lambda")
ERRORS = ("throttle", "accessDenied", "expiredToken", "invalidToken")
# The signing name of each service (SigV4 credential scope) -> the name used here.
SIGNING_NAMES = {"ec2": "ec2", "elasticfilesystem": "efs", "lambda": "lambda"}
CALLER_ARN = "arn:aws:sts::123456789012:assumed-role/efs-reconciler-test/session"
IAM_PREFIX = {"ec2": "ec2", "efs": "elasticfilesystem", "lambda": "lambda"}

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")

# REST operations of the two JSON services: (method, path pattern) -> operation name.
_EFS_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p), op)
    for m, p, op in [
        ("GET", r"^/2015-02-01/file-systems/?$", "DescribeFileSystems"),
        ("POST", r"^/2015-02-01/file-systems/?$", "CreateFileSystem"),
        ("PUT", r"^/2015-02-01/file-systems/[^/]+/?$", "UpdateFileSystem"),
        ("DELETE", r"^/2015-02-01/file-systems/[^/]+/?$", "DeleteFileSystem"),
        ("GET", r"^/2015-02-01/file-systems/[^/]+/lifecycle-configuration$", "DescribeLifecycleConfiguration"),
        ("PUT", r"^/2015-02-01/file-systems/[^/]+/lifecycle-configuration$", "PutLifecycleConfiguration"),
        ("GET", r"^/2015-02-01/file-systems/[^/]+/backup-policy$", "DescribeBackupPolicy"),
        ("PUT", r"^/2015-02-01/file-systems/[^/]+/backup-policy$", "PutBackupPolicy"),
        ("GET", r"^/2015-02-01/file-systems/[^/]+/policy$", "DescribeFileSystemPolicy"),
        ("GET", r"^/2015-02-01/mount-targets/?$", "DescribeMountTargets"),
        ("POST", r"^/2015-02-01/mount-targets/?$", "CreateMountTarget"),
        ("DELETE", r"^/2015-02-01/mount-targets/[^/]+/?$", "DeleteMountTarget"),
        ("GET", r"^/2015-02-01/mount-targets/[^/]+/security-groups$", "DescribeMountTargetSecurityGroups"),
        ("PUT", r"^/2015-02-01/mount-targets/[^/]+/security-groups$", "ModifyMountTargetSecurityGroups"),
        ("GET", r"^/2015-02-01/access-points/?$", "DescribeAccessPoints"),
        ("POST", r"^/2015-02-01/access-points/?$", "CreateAccessPoint"),
        ("DELETE", r"^/2015-02-01/access-points/[^/]+/?$", "DeleteAccessPoint"),
        ("GET", r"^/2015-02-01/resource-tags/[^/]+/?$", "ListTagsForResource"),
        ("POST", r"^/2015-02-01/resource-tags/[^/]+/?$", "TagResource"),
        ("DELETE", r"^/2015-02-01/resource-tags/[^/]+/?$", "UntagResource"),
    ]
]
_LAMBDA_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p), op)
    for m, p, op in [
        ("GET", r"^/2015-03-31/functions/?$", "ListFunctions"),
        ("POST", r"^/2015-03-31/functions/?$", "CreateFunction"),
        ("GET", r"^/2015-03-31/functions/[^/]+/configuration/?$", "GetFunctionConfiguration"),
        ("PUT", r"^/2015-03-31/functions/[^/]+/configuration/?$", "UpdateFunctionConfiguration"),
        ("PUT", r"^/2015-03-31/functions/[^/]+/code/?$", "UpdateFunctionCode"),
        ("GET", r"^/2015-03-31/functions/[^/]+/?$", "GetFunction"),
        ("DELETE", r"^/2015-03-31/functions/[^/]+/?$", "DeleteFunction"),
    ]
]


class FaultConfigError(ValueError):
    pass


class _State:
    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.calls: dict[str, int] = {}
        self.rule_hits: list[int] = [0] * len(config["rules"])
        self.mutations = 0
        self.injected: list[dict[str, Any]] = []


_lock = threading.Lock()
_state: _State | None = None


# ---------------------------------------------------------------------------------------------
# Configuration


def _check_error(value: Any, where: str) -> str:
    if value not in ERRORS:
        raise FaultConfigError(f"{where} must be one of {list(ERRORS)}, got {value!r}")
    return value


def _check_count(value: Any, where: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FaultConfigError(f"{where} must be a non-negative integer, got {value!r}")
    return value


def _check_rule(rule: Any, index: int) -> dict[str, Any]:
    where = f"faults.rules[{index}]"
    if not isinstance(rule, dict):
        raise FaultConfigError(f"{where} must be an object")
    known = {"service", "operation", "match", "mutating", "error", "skip", "times"}
    unknown = sorted(set(rule) - known)
    if unknown:
        raise FaultConfigError(f"{where} has unknown keys {unknown}; known keys: {sorted(known)}")
    service = rule.get("service")
    if service is not None and service not in SERVICES:
        raise FaultConfigError(f"{where}.service must be one of {list(SERVICES)}, got {service!r}")
    for key in ("operation", "match"):
        if key in rule and not isinstance(rule[key], str):
            raise FaultConfigError(f"{where}.{key} must be a string")
    if "mutating" in rule and not isinstance(rule["mutating"], bool):
        raise FaultConfigError(f"{where}.mutating must be true or false")
    return {
        "service": service,
        "operation": rule.get("operation"),
        "match": rule.get("match"),
        "mutating": rule.get("mutating"),
        "error": _check_error(rule.get("error"), f"{where}.error"),
        "skip": _check_count(rule.get("skip", 0), f"{where}.skip"),
        "times": _check_count(rule.get("times"), f"{where}.times", allow_none=True),
    }


def _check_config(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise FaultConfigError("faults must be a JSON object, or null to turn fault injection off")
    known = {"seed", "rate", "services", "rules", "failMutationsAfter", "mutationError"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise FaultConfigError(f"faults has unknown keys {unknown}; known keys: {sorted(known)}")
    seed = values.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise FaultConfigError(f"faults.seed must be an integer, got {seed!r}")
    rate = values.get("rate", 0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise FaultConfigError(f"faults.rate must be a number from 0 to 1, got {rate!r}")
    services = values.get("services", list(SERVICES))
    if not isinstance(services, list) or any(s not in SERVICES for s in services):
        raise FaultConfigError(f"faults.services must be a list of {list(SERVICES)}, got {services!r}")
    rules = values.get("rules", [])
    if not isinstance(rules, list):
        raise FaultConfigError("faults.rules must be a list")
    return {
        "seed": seed,
        "rate": float(rate),
        "services": sorted(set(services)),
        "rules": [_check_rule(r, i) for i, r in enumerate(rules)],
        "failMutationsAfter": _check_count(values.get("failMutationsAfter"), "faults.failMutationsAfter", True),
        "mutationError": _check_error(values.get("mutationError", "accessDenied"), "faults.mutationError"),
    }


def configure(values: Any) -> None:
    """Replaces the fault configuration (None turns faults off) and restarts every counter."""
    global _state
    state = None if values is None else _State(_check_config(values))
    with _lock:
        _state = state


def reset() -> None:
    configure(None)


def snapshot() -> dict[str, Any] | None:
    with _lock:
        return None if _state is None else json.loads(json.dumps(_state.config))


def report() -> dict[str, Any]:
    """The configuration and what it did so far: every injected fault and the mutations let through."""
    with _lock:
        if _state is None:
            return {"config": None, "injected": [], "mutations": 0, "calls": {}}
        return {
            "config": json.loads(json.dumps(_state.config)),
            "injected": list(_state.injected),
            "mutations": _state.mutations,
            "calls": dict(_state.calls),
        }


# ---------------------------------------------------------------------------------------------
# Requests


class _Call:
    def __init__(self, service: str, operation: str, mutating: bool, text: str):
        self.service = service
        self.operation = operation
        self.mutating = mutating
        self.text = text


def _read_body(environ: dict[str, Any]) -> bytes:
    """Reads the request body and puts it back, so moto reads it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _rest_operation(routes: list[tuple[str, re.Pattern[str], str]], method: str, path: str) -> str:
    for route_method, pattern, operation in routes:
        if route_method == method and pattern.match(path):
            return operation
    return f"{method} {path}"


def _describe(environ: dict[str, Any]) -> _Call | None:
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = SIGNING_NAMES.get(scope.group(1)) if scope else None
    if service is None:
        return None
    method = environ.get("REQUEST_METHOD", "GET")
    path = unquote(environ.get("PATH_INFO", ""))
    query = environ.get("QUERY_STRING", "")
    body = _read_body(environ).decode("utf-8", "replace")
    if service == "ec2":
        params = parse_qs(body) if body else parse_qs(query)
        operation = (params.get("Action") or ["Unknown"])[0]
        mutating = not operation.startswith(("Describe", "List", "Get"))
        return _Call(service, operation, mutating, unquote(body or query))
    routes = _EFS_ROUTES if service == "efs" else _LAMBDA_ROUTES
    return _Call(service, _rest_operation(routes, method, path), method != "GET", f"{path}?{unquote(query)} {body}")


def _rule_matches(rule: dict[str, Any], call: _Call) -> bool:
    return (
        (rule["service"] is None or rule["service"] == call.service)
        and (rule["operation"] is None or rule["operation"] == call.operation)
        and (rule["match"] is None or rule["match"] in call.text)
        and (rule["mutating"] is None or rule["mutating"] == call.mutating)
    )


def _decide(state: _State, call: _Call) -> tuple[str, str] | None:
    """(error, reason) for a call that gets a fault, else None. Called with the lock held."""
    config = state.config
    for index, rule in enumerate(config["rules"]):
        if not _rule_matches(rule, call):
            continue
        state.rule_hits[index] += 1
        hit = state.rule_hits[index]
        if hit > rule["skip"] and (rule["times"] is None or hit <= rule["skip"] + rule["times"]):
            return rule["error"], f"rule {index}"
    key = f"{call.service}:{call.operation}"
    n = state.calls.get(key, 0)
    state.calls[key] = n + 1
    if config["rate"] > 0 and call.service in config["services"]:
        if random.Random(f"{config['seed']}:{key}:{n}").random() < config["rate"]:
            return "throttle", "rate"
    if call.mutating:
        limit = config["failMutationsAfter"]
        if limit is not None and state.mutations >= limit:
            return config["mutationError"], "failMutationsAfter"
        state.mutations += 1
    return None


def intercept(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes] | None:
    """The fault answer for this request, or None to let moto answer it."""
    with _lock:
        if _state is None:
            return None
    call = _describe(environ)
    if call is None:
        return None
    with _lock:
        state = _state
        if state is None:
            return None
        decided = _decide(state, call)
        if decided is None:
            return None
        error, reason = decided
        state.injected.append(
            {
                "service": call.service,
                "operation": call.operation,
                "mutating": call.mutating,
                "error": error,
                "reason": reason,
            }
        )
    return _answer(start_response, call, error)


# ---------------------------------------------------------------------------------------------
# Answers, as each service sends them


def _respond(start_response: StartResponse, status: str, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [body]


def _ec2_error(start_response: StartResponse, status: str, code: str, message: str) -> list[bytes]:
    request_id = str(uuid.uuid4())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
        f"<RequestID>{request_id}</RequestID></Response>"
    ).encode()
    return _respond(start_response, status, [("Content-Type", "text/xml;charset=UTF-8")], body)


def _json_error(
    start_response: StartResponse,
    status: str,
    code: str,
    body: dict[str, Any],
    extra_headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", code),
        ("x-amzn-RequestId", str(uuid.uuid4())),
        *(extra_headers or []),
    ]
    return _respond(start_response, status, headers, json.dumps(body).encode())


def _denied_message(call: _Call) -> str:
    action = f"{IAM_PREFIX[call.service]}:{call.operation}"
    return (
        f"User: {CALLER_ARN} is not authorized to perform: {action} "
        f"because no identity-based policy allows the {action} action"
    )


def _answer(start_response: StartResponse, call: _Call, error: str) -> list[bytes]:
    if call.service == "ec2":
        if error == "throttle":
            return _ec2_error(
                start_response, "503 Service Unavailable", "RequestLimitExceeded", "Request limit exceeded."
            )
        if error == "accessDenied":
            return _ec2_error(
                start_response,
                "403 Forbidden",
                "UnauthorizedOperation",
                f"You are not authorized to perform this operation. {_denied_message(call)}. "
                f"Encoded authorization failure message: {uuid.uuid4().hex * 4}",
            )
        if error == "expiredToken":
            return _ec2_error(start_response, "400 Bad Request", "RequestExpired", "Request has expired.")
        return _ec2_error(
            start_response,
            "401 Unauthorized",
            "AuthFailure",
            "AWS was not able to validate the provided access credentials",
        )
    if call.service == "efs":
        if error == "throttle":
            return _json_error(
                start_response,
                "429 Too Many Requests",
                "ThrottlingException",
                {"ErrorCode": "ThrottlingException", "Message": "Rate exceeded"},
            )
    if error == "throttle":
        return _json_error(
            start_response,
            "429 Too Many Requests",
            "TooManyRequestsException",
            {"Reason": "CallerRateLimitExceeded", "Type": "User", "message": "Rate exceeded"},
            [("Retry-After", "1")],
        )
    # EFS and Lambda answer the same way once the request is not throttled.
    if error == "accessDenied":
        return _json_error(
            start_response, "403 Forbidden", "AccessDeniedException", {"Message": _denied_message(call)}
        )
    if error == "expiredToken":
        return _json_error(
            start_response,
            "403 Forbidden",
            "ExpiredTokenException",
            {"message": "The security token included in the request is expired"},
        )
    return _json_error(
        start_response,
        "403 Forbidden",
        "UnrecognizedClientException",
        {"message": "The security token included in the request is invalid."},
    )
