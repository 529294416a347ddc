/**
 * Design option "observation split into functions" (bench only, not deployed): the first function,
 * EFS and Lambda reads — the region's file systems, access points and functions, then the manifest's
 * file system's mount targets, lifecycle and backup policy.
 */
import { EFSClient } from "@aws-sdk/client-efs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { clientConfig } from "../../src/aws/clients";
import { AwsReader } from "../../src/observe/aws-reader";
import { createLimiter } from "../../src/observe/limiter";
import { sweepAccessPoints } from "../../src/observe/read-access-points";
import { readFileSystemDetails, sweepFileSystems } from "../../src/observe/read-file-systems";
import { sweepFunctions } from "../../src/observe/read-functions";
import { compiledManifestsLoader, lambdaHandler, manifestDirFromEnv } from "../../src/statemachine/handlers";
import { SPLIT_CONCURRENCY, type SplitFileSystemsEvent } from "./events";

export const handler = lambdaHandler((env) => {
  const common = clientConfig();
  const efs = new EFSClient(common);
  const lambda = new LambdaClient(common);
  const load = compiledManifestsLoader(manifestDirFromEnv(env));
  return async (event: SplitFileSystemsEvent) => {
    const desired = await load();
    const reader = new AwsReader(await efs.config.region());
    const [fileSystems, accessPoints, functions] = await Promise.all([
      sweepFileSystems(reader, efs),
      sweepAccessPoints(reader, efs),
      sweepFunctions(reader, lambda),
    ]);
    const details = await readFileSystemDetails(
      reader,
      efs,
      event.fileSystemId,
      event.readBackup,
      createLimiter(SPLIT_CONCURRENCY),
    );
    return {
      manifests: desired.fileSystems.length,
      fileSystems: fileSystems.length,
      accessPoints: accessPoints.length,
      functions: functions.length,
      mountTargets: details?.mountTargets ?? [],
    };
  };
});
