/**
 * Design option "observation split into functions" (bench/split, not deployed): the Plan function's
 * work as four functions — EFS and Lambda reads; then the EC2 reads and the checklist's reads
 * (IAM, CloudWatch, tagging), which need only the first's results; then a plan that only diffs.
 * Each answers app 0's share of a real observation, so each is timed on the calls it would make.
 */
import { DescribeMountTargetsCommand } from "@aws-sdk/client-efs";
import type { AwsClients } from "../../src/aws/clients";
import type { DesiredState } from "../../src/desired-state/types";
import { observe } from "../../src/observe/observe";
import type { SplitChecklistEvent, SplitFileSystemsEvent, SplitNetworkEvent } from "../split/events";
import type { BundleEntry, SampleEvent } from "./bundles";
import type { FleetApp, FleetVpc } from "./fleet";

export const SPLIT_OBSERVATION_ENTRIES: BundleEntry[] = [
  { name: "observe-file-systems", entry: "bench/split/observe-file-systems.ts" },
  { name: "observe-network", entry: "bench/split/observe-network.ts" },
  { name: "observe-checklist", entry: "bench/split/observe-checklist.ts" },
  { name: "plan-from-observation", entry: "bench/split/plan-from-observation.ts" },
];

/**
 * Each split function's sample event for app 0 (the sample manifests hold app 0 only), read from
 * the emulator as the earlier functions would have passed it on. `env` is the functions' environment.
 */
export async function splitSampleEvents(
  clients: AwsClients,
  desired: DesiredState,
  app: FleetApp,
  vpc: FleetVpc,
  env: Record<string, string>,
): Promise<(name: string) => SampleEvent> {
  const described = await clients.efs.send(
    new DescribeMountTargetsCommand({ FileSystemId: app.fileSystemId }),
  );
  const mountTargets = described.MountTargets ?? [];
  const observed = await observe(desired, clients);
  const fileSystems: SplitFileSystemsEvent = {
    fileSystemId: app.fileSystemId,
    readBackup: app.backupManaged,
  };
  const network: SplitNetworkEvent = {
    groupIds: [app.mountTargetSecurityGroupId, app.functionSecurityGroupId],
    mountTargets,
    subnetIds: [...new Set([...app.subnetIds, ...mountTargets.flatMap((mt) => mt.SubnetId ?? [])])],
    vpcIds: [vpc.vpcId],
  };
  const checklist: SplitChecklistEvent = { roleArns: [vpc.roleArn], fileSystemIds: [app.fileSystemId] };
  const events: Record<string, unknown> = {
    "observe-file-systems": fileSystems,
    "observe-network": network,
    "observe-checklist": checklist,
    "plan-from-observation": { observed, runId: "20261128T120000Z-0000beef" },
  };
  return (name) => {
    if (!(name in events)) throw new Error(`no split sample event for ${name}`);
    return { env, event: events[name] };
  };
}
