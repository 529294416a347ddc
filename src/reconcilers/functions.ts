/**
 * Function-configuration reconcilers: timeout and VPC (phase 1), the file-system mount (phase 2).
 * Each sends only the fields that still differ and leaves the function `pending` until its update
 * has finished.
 */
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
  type UpdateFunctionConfigurationRequest,
} from "@aws-sdk/client-lambda";
import type { ClientsFor } from "../aws/clients";
import type { AccessPointTarget, Action } from "../plan/types";
import { describeAccessPoint, findAccessPointByIdentity } from "./access-point-lookup";
import { classified, isAwsError, wrongFamilyError } from "./classify";
import { RetryableReconcileError, TerminalReconcileError } from "./errors";
import { loggingConfigUpdate } from "./logging-config";
import { skipped, succeeded } from "./outcome";
import type { ActionOf, PendingResource, ReconcileOutcome } from "./types";

/** The AWS clients this reconciler family calls. */
export type FunctionsClients = ClientsFor<"efs" | "lambda">;

async function readFunction(clients: FunctionsClients, functionName: string): Promise<FunctionConfiguration> {
  try {
    return await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  } catch (err) {
    if (isAwsError(err, "ResourceNotFoundException")) {
      throw new TerminalReconcileError(`function ${functionName} no longer exists; re-run plan`, {
        cause: err,
      });
    }
    throw err;
  }
}

/** A function whose previous update (or creation) has not finished cannot be updated yet. */
function assertUpdatable(fn: FunctionConfiguration, functionName: string): void {
  if (fn.LastUpdateStatus === "InProgress" || fn.State === "Pending") {
    throw new RetryableReconcileError(
      `function ${functionName} is still applying an earlier change (LastUpdateStatus ${fn.LastUpdateStatus ?? "?"}, ` +
        `State ${fn.State ?? "?"}); retrying once it has finished`,
    );
  }
}

async function sendUpdate(
  clients: FunctionsClients,
  input: UpdateFunctionConfigurationRequest,
): Promise<void> {
  try {
    await clients.lambda.send(new UpdateFunctionConfigurationCommand(input));
  } catch (err) {
    if (isAwsError(err, "ResourceConflictException")) {
      throw new RetryableReconcileError(
        `function ${input.FunctionName} is busy with another update; retrying once it has finished`,
        { cause: err },
      );
    }
    if (isAwsError(err, "ResourceNotFoundException")) {
      throw new TerminalReconcileError(`function ${input.FunctionName} no longer exists; re-run plan`, {
        cause: err,
      });
    }
    throw err;
  }
}

function pendingFunction(functionName: string): PendingResource[] {
  return [{ type: "function", functionName }];
}

/** Pending while an update already in place (an earlier attempt's) is still being applied. */
function settling(fn: FunctionConfiguration, functionName: string): PendingResource[] {
  return fn.LastUpdateStatus === "InProgress" || fn.State === "Pending" ? pendingFunction(functionName) : [];
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

type Mount = { arn: string; localMountPath: string };

function mountKeys(mounts: Mount[]): string[] {
  return mounts.map((m) => `${m.arn} at ${m.localMountPath}`).sort();
}

function sameMounts(a: Mount[], b: Mount[]): boolean {
  const x = mountKeys(a);
  const y = mountKeys(b);
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

function describeMounts(mounts: Mount[]): string {
  return mounts.length === 0 ? "no file system" : mountKeys(mounts).join(", ");
}

/**
 * Phase 1: raises the timeout (never lowers it), enforces the VPC config and sets the log format,
 * whichever still differ, in one update.
 */
export async function reconcileUpdateFunctionConfiguration(
  action: ActionOf<"UpdateFunctionConfiguration">,
  clients: FunctionsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { functionName, timeout, vpcConfig, logFormat } = action.params;
    const fn = await readFunction(clients, functionName);
    const input: UpdateFunctionConfigurationRequest = { FunctionName: functionName };
    const changes: string[] = [];
    if (timeout !== undefined && (fn.Timeout ?? 0) < timeout) {
      input.Timeout = timeout;
      changes.push(`timeout ${fn.Timeout ?? "?"}s → ${timeout}s`);
    }
    if (vpcConfig) {
      const live = fn.VpcConfig;
      const same =
        sameSet(live?.SubnetIds ?? [], vpcConfig.subnetIds) &&
        sameSet(live?.SecurityGroupIds ?? [], vpcConfig.securityGroupIds);
      if (!same) {
        input.VpcConfig = {
          SubnetIds: vpcConfig.subnetIds,
          SecurityGroupIds: vpcConfig.securityGroupIds,
          ...(live?.Ipv6AllowedForDualStack ? { Ipv6AllowedForDualStack: true } : {}),
        };
        changes.push(
          `subnets ${vpcConfig.subnetIds.join(",")}, security groups ${vpcConfig.securityGroupIds.join(",")}`,
        );
      }
    }
    const logging = logFormat ? loggingConfigUpdate(fn.LoggingConfig, logFormat) : undefined;
    if (logging) {
      input.LoggingConfig = logging;
      changes.push(`log format ${fn.LoggingConfig?.LogFormat ?? "Text"} → ${logFormat}`);
    }
    if (changes.length === 0) {
      return skipped(
        action,
        `function ${functionName} already had the wanted timeout, VPC config and log format`,
        settling(fn, functionName),
      );
    }
    assertUpdatable(fn, functionName);
    await sendUpdate(clients, input);
    return succeeded(
      action,
      `updated function ${functionName}: ${changes.join("; ")}`,
      pendingFunction(functionName),
    );
  });
}

/** The access point id at the end of an access point ARN (`…:access-point/fsap-…`). */
function accessPointIdOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/**
 * The ARN to mount: given (re-read: it must still exist, a function is never pointed at an access
 * point deleted since the plan), or the access point a CreateAccessPoint action of the same plan made.
 */
async function resolveTargetArn(clients: FunctionsClients, target: AccessPointTarget): Promise<string> {
  if ("accessPointArn" in target) {
    const id = accessPointIdOf(target.accessPointArn);
    const ap = await describeAccessPoint(clients.efs, id);
    if (!ap) {
      throw new TerminalReconcileError(
        `access point ${id} no longer exists (deleted by someone else since the plan), so no function is ` +
          "pointed at it; re-run plan, which creates the access point again",
      );
    }
    if (ap.LifeCycleState !== undefined && ap.LifeCycleState !== "available") {
      throw new RetryableReconcileError(
        `access point ${id} is ${ap.LifeCycleState}; retrying once it is available`,
      );
    }
    return target.accessPointArn;
  }
  const { fileSystemId, name } = target.create;
  const ap = await findAccessPointByIdentity(clients.efs, fileSystemId, name, target.specHash);
  if (!ap?.AccessPointArn) {
    throw new RetryableReconcileError(
      `access point ${name} (spec-hash ${target.specHash}) on ${fileSystemId} is not created yet; ` +
        "retrying after its CreateAccessPoint action",
    );
  }
  if (ap.LifeCycleState !== "available") {
    throw new RetryableReconcileError(
      `access point ${ap.AccessPointId} (${name}) on ${fileSystemId} is ${ap.LifeCycleState ?? "not available"}; ` +
        "retrying once it is available",
    );
  }
  return ap.AccessPointArn;
}

/** Phase 2: makes the function mount exactly the target access point at `localMountPath`. */
export async function reconcileUpdateFunctionFileSystem(
  action: ActionOf<"UpdateFunctionFileSystem">,
  clients: FunctionsClients,
): Promise<ReconcileOutcome> {
  return classified(action, async () => {
    const { functionName, localMountPath, target, replaces } = action.params;
    const arn = await resolveTargetArn(clients, target);
    const fn = await readFunction(clients, functionName);
    const live = fn.FileSystemConfigs ?? [];
    if (live.length === 1 && live[0]?.Arn === arn && live[0]?.LocalMountPath === localMountPath) {
      return skipped(
        action,
        `function ${functionName} already mounted ${arn} at ${localMountPath}`,
        settling(fn, functionName),
      );
    }
    const now = live.map((c) => ({ arn: c.Arn ?? "", localMountPath: c.LocalMountPath ?? "" }));
    if (replaces && !sameMounts(now, replaces)) {
      throw new TerminalReconcileError(
        `refused to repoint function ${functionName} (planned: ${describeMounts(replaces)}; now: ` +
          `${describeMounts(now)}): changed by someone else since the plan; re-run plan`,
      );
    }
    assertUpdatable(fn, functionName);
    if ((fn.VpcConfig?.SubnetIds ?? []).length === 0) {
      throw new TerminalReconcileError(
        `function ${functionName} is not in a VPC, so it cannot mount ${arn}; put it in a VPC (or set vpc in its ` +
          "manifest) and re-run apply",
      );
    }
    await sendUpdate(clients, {
      FunctionName: functionName,
      FileSystemConfigs: [{ Arn: arn, LocalMountPath: localMountPath }],
    });
    return succeeded(
      action,
      `mounted ${arn} at ${localMountPath} on function ${functionName}`,
      pendingFunction(functionName),
    );
  });
}

/** Runs one function action; refuses actions of other families. */
export async function reconcileFunctions(
  action: Action,
  clients: FunctionsClients,
): Promise<ReconcileOutcome> {
  switch (action.type) {
    case "UpdateFunctionConfiguration":
      return reconcileUpdateFunctionConfiguration(action, clients);
    case "UpdateFunctionFileSystem":
      return reconcileUpdateFunctionFileSystem(action, clients);
    default:
      throw wrongFamilyError("function", action);
  }
}
