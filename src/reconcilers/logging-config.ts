/**
 * The `LoggingConfig` of an UpdateFunctionConfiguration that changes only the log format: the log
 * group is kept, and the JSON-only log levels are kept when the format stays JSON (Lambda rejects
 * them with Text).
 */
import type { LoggingConfig } from "@aws-sdk/client-lambda";

/** The LoggingConfig to send for `wanted`, or undefined when `live` already has that format. */
export function loggingConfigUpdate(
  live: LoggingConfig | undefined,
  wanted: "JSON" | "Text",
): LoggingConfig | undefined {
  // Lambda reports Text for a function that never set a format.
  if ((live?.LogFormat ?? "Text") === wanted) return undefined;
  return {
    LogFormat: wanted,
    ...(live?.LogGroup ? { LogGroup: live.LogGroup } : {}),
    ...(wanted === "JSON" && live?.ApplicationLogLevel
      ? { ApplicationLogLevel: live.ApplicationLogLevel }
      : {}),
    ...(wanted === "JSON" && live?.SystemLogLevel ? { SystemLogLevel: live.SystemLogLevel } : {}),
  };
}
