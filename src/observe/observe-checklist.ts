/** Observation's third stage (stages.ts): the checklist's IAM, EFS, CloudWatch and tagging reads. */
import type { DesiredState } from "../desired-state/types";
import { distinct } from "./aws-reader";
import { readAlarms } from "./read-alarms";
import { readIam } from "./read-iam-policies";
import { type ObserveOptions, stageContext } from "./stage-context";
import {
  type ChecklistClients,
  callsText,
  foundFileSystemIds,
  matchedFunctions,
  type ObservedChecklist,
  type ObservedSources,
  plural,
  type StageContext,
} from "./stages";
import type { ObservedAlarm } from "./types";

/** Stage 3: the checklist's IAM, EFS, CloudWatch and tagging reads. */
export async function observeChecklist(
  desired: DesiredState,
  sources: ObservedSources,
  clients: ChecklistClients,
  context: StageContext,
): Promise<ObservedChecklist> {
  const { reader, limit, log } = context;
  const phase = reader.phase();
  const roleArns = distinct(matchedFunctions(desired, sources).map(({ fn }) => fn.role));
  // The resource policies of the file systems functions are bound to (least privilege).
  const boundFileSystemIds = distinct(
    desired.functions.map((f) => {
      const ap = desired.accessPoints.find((a) => a.name === f.spec.accessPoint);
      const lookup = ap ? sources.fileSystems[ap.spec.fileSystem] : undefined;
      return sources.functions[f.name]?.found && lookup?.found ? lookup.fileSystem.fileSystemId : undefined;
    }),
  );
  const foundIds = foundFileSystemIds(sources);
  const [iam, alarms] = await Promise.all([
    roleArns.length > 0 || boundFileSystemIds.length > 0
      ? readIam(phase, clients, roleArns, boundFileSystemIds, limit)
      : { roles: {}, fileSystemPolicies: {} },
    foundIds.length > 0 ? readAlarms(phase, clients, foundIds, limit) : ({} as Record<string, ObservedAlarm>),
  ]);
  if (roleArns.length > 0 || foundIds.length > 0) {
    const policyCount = Object.values(iam.roles).reduce((n, r) => n + r.policies.length, 0);
    const fsPolicies = Object.values(iam.fileSystemPolicies).filter((p) => p !== null).length;
    log(
      `observed ${plural(Object.keys(iam.roles).length, "execution role")} with ${plural(policyCount, "policy document")}, ` +
        `${fsPolicies} file-system ${fsPolicies === 1 ? "policy" : "policies"}, ` +
        `${plural(Object.keys(alarms).length, "alarm")} (${callsText(phase.calls)})`,
    );
  }
  return { iam, alarms };
}

/** The stage on its own, as a function of its own runs it: its own reader, rate limits and bound. */
export function observeChecklistAlone(
  desired: DesiredState,
  sources: ObservedSources,
  clients: ChecklistClients,
  options: ObserveOptions,
): Promise<ObservedChecklist> {
  return observeChecklist(desired, sources, clients, stageContext(sources.region, options));
}
