/**
 * Functions: one paginated ListFunctions sweep of the region answers every LambdaFunction
 * manifest and tells, for every access point, which functions mount it.
 */
import { type FunctionConfiguration, type LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import type { LambdaFunctionManifest } from "../desired-state/types";
import type { AwsReader } from "./aws-reader";
import { parseFunctionRef, refersTo } from "./function-ref";
import type { FunctionLookup, ObservedFunction } from "./types";

/** Every function ($LATEST) in the region. */
export async function sweepFunctions(
  reader: AwsReader,
  lambda: LambdaClient,
): Promise<FunctionConfiguration[]> {
  const pages = await reader.pages(
    "lambda",
    "ListFunctions",
    (Marker) => lambda.send(new ListFunctionsCommand(Marker ? { Marker } : {})),
    (page) => page.NextMarker,
  );
  return pages.flatMap((p) => p.Functions ?? []);
}

/** The snapshot form of a listed function; a VpcConfig without subnets means "not in a VPC". */
export function toObservedFunction(fn: FunctionConfiguration): ObservedFunction {
  const subnetIds = fn.VpcConfig?.SubnetIds ?? [];
  return {
    functionName: fn.FunctionName ?? "",
    functionArn: fn.FunctionArn ?? "",
    ...(fn.Role ? { role: fn.Role } : {}),
    timeout: fn.Timeout ?? 3,
    ...(subnetIds.length > 0
      ? {
          vpcConfig: {
            ...(fn.VpcConfig?.VpcId ? { vpcId: fn.VpcConfig.VpcId } : {}),
            subnetIds: [...subnetIds],
            securityGroupIds: [...(fn.VpcConfig?.SecurityGroupIds ?? [])],
          },
        }
      : {}),
    fileSystemConfigs: (fn.FileSystemConfigs ?? []).map((c) => ({
      arn: c.Arn ?? "",
      localMountPath: c.LocalMountPath ?? "",
    })),
    ...(fn.LastUpdateStatus ? { lastUpdateStatus: fn.LastUpdateStatus } : {}),
    ...(fn.State ? { state: fn.State } : {}),
    ...(fn.LoggingConfig?.LogFormat ? { logFormat: fn.LoggingConfig.LogFormat } : {}),
  };
}

/** Resolves each LambdaFunction manifest (keyed by manifest name) against the sweep. */
export function matchFunctions(
  manifests: readonly LambdaFunctionManifest[],
  functions: readonly FunctionConfiguration[],
): Record<string, FunctionLookup> {
  const out: Record<string, FunctionLookup> = {};
  for (const m of manifests) {
    const ref = parseFunctionRef(m.spec.functionName);
    const fn = functions.find(
      (f) => f.FunctionName !== undefined && refersTo(ref, f.FunctionName, f.FunctionArn),
    );
    out[m.name] = fn ? { found: true, fn: toObservedFunction(fn) } : { found: false };
  }
  return out;
}

/** Access point ARN → sorted names of every listed function mounting it. */
export function mountedBy(functions: readonly FunctionConfiguration[]): Record<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const fn of functions) {
    if (!fn.FunctionName) continue;
    for (const c of fn.FileSystemConfigs ?? []) {
      if (!c.Arn) continue;
      let names = sets.get(c.Arn);
      if (!names) {
        names = new Set();
        sets.set(c.Arn, names);
      }
      names.add(fn.FunctionName);
    }
  }
  const out: Record<string, string[]> = {};
  for (const arn of [...sets.keys()].sort()) out[arn] = [...(sets.get(arn) ?? [])].sort();
  return out;
}
