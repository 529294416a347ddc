"""CloudWatch metric alarms as AWS handles them.

moto 5.2.1 differs from CloudWatch in three ways that matter to idempotent alarm management:
- DescribeAlarms ignores `MaxRecords`/`NextToken` (no pagination) and answers in creation order;
  CloudWatch pages (at most 100 per page) in alarm-name order.
- DeleteAlarms silently skips unknown names and leaves the deleted alarms' tags behind (a new
  alarm of the same name inherits them); CloudWatch answers `ResourceNotFound` and deletes nothing
  when a name is unknown, and an alarm's tags go with it.
- PutMetricAlarm on an existing alarm applies its `Tags`; CloudWatch ignores them on an update
  (tags are changed with TagResource only).
"""

from typing import Any

from moto.cloudwatch.exceptions import ResourceNotFound, ValidationError
from moto.cloudwatch.models import CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse

MAX_RECORDS = 100


def page_alarms(alarms: list[Any], max_records: Any, next_token: Any) -> tuple[list[Any], str | None]:
    """One page of alarms in name order; the token is the last name of the previous page."""
    size = MAX_RECORDS if max_records in (None, "") else int(max_records)
    if not 1 <= size <= MAX_RECORDS:
        raise ValidationError(f"MaxRecords must be between 1 and {MAX_RECORDS}.")
    ordered = sorted(alarms, key=lambda a: a.name)
    if next_token:
        ordered = [a for a in ordered if a.name > next_token]
    page = ordered[:size]
    more = len(ordered) > size
    return page, (page[-1].name if more and page else None)


def delete_alarms(backend: CloudWatchBackend, alarm_names: list[str]) -> None:
    missing = [name for name in alarm_names if name not in backend.alarms]
    if missing:
        raise ResourceNotFound(f"{', '.join(missing)} not found")
    for name in alarm_names:
        alarm = backend.alarms.pop(name)
        backend.tagger.delete_all_tags_for_resource(alarm.alarm_arn)


def apply() -> None:
    original_describe = CloudWatchResponse.describe_alarms
    original_put = CloudWatchBackend.put_metric_alarm

    def describe_alarms(self: CloudWatchResponse) -> Any:
        result = original_describe(self)
        metric = list(result.result["MetricAlarms"])
        composite = list(result.result["CompositeAlarms"])
        page, token = page_alarms(metric + composite, self._get_param("MaxRecords"), self._get_param("NextToken"))
        result.result["MetricAlarms"] = [a for a in page if a.rule is None]
        result.result["CompositeAlarms"] = [a for a in page if a.rule is not None]
        if token:
            result.result["NextToken"] = token
        return result

    def put_metric_alarm(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("name", args[0] if args else None)
        if name in self.alarms:
            kwargs["tags"] = None
        return original_put(self, *args, **kwargs)

    def backend_delete_alarms(self: CloudWatchBackend, alarm_names: list[str]) -> None:
        delete_alarms(self, alarm_names)

    CloudWatchResponse.describe_alarms = describe_alarms  # type: ignore[method-assign]
    CloudWatchBackend.put_metric_alarm = put_metric_alarm  # type: ignore[method-assign]
    CloudWatchBackend.delete_alarms = backend_delete_alarms  # type: ignore[method-assign]
