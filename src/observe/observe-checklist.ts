/** Observation's third stage (stages.ts): the checklist's IAM, CloudWatch and tagging reads. */
import type { DesiredState } from "../desired-state/types";
import { plural } from "../plural";
import { distinct } from "./aws-reader";
import { readAlarms } from "./read-alarms";
import { readRolePolicies } from "./read-iam-policies";
import { type ObserveOptions, stageContext } from "./stage-context";
import {
  type ChecklistClients,
  callsText,
  foundFileSystemIds,
  matchedFunctions,
  type ObservedChecklist,
  type ObservedSources,
  type StageContext,
} from "./stages";
import type { ObservedAlarm, ObservedRole } from "./types";

/** Stage 3: the execution roles' policies (IAM), the file systems' alarms (CloudWatch) and their tags. */
export async function observeChecklist(
  desired: DesiredState,
  sources: ObservedSources,
  clients: ChecklistClients,
  context: StageContext,
): Promise<ObservedChecklist> {
  const { reader, limit, log } = context;
  const phase = reader.phase();
  const roleArns = distinct(matchedFunctions(desired, sources).map(({ fn }) => fn.role));
  const foundIds = foundFileSystemIds(sources);
  const [roles, alarms] = await Promise.all([
    roleArns.length > 0
      ? readRolePolicies(phase, clients.iam, roleArns, limit)
      : ({} as Record<string, ObservedRole>),
    foundIds.length > 0 ? readAlarms(phase, clients, foundIds, limit) : ({} as Record<string, ObservedAlarm>),
  ]);
  if (roleArns.length > 0 || foundIds.length > 0) {
    const policyCount = Object.values(roles).reduce((n, r) => n + r.policies.length, 0);
    log(
      `observed ${plural(Object.keys(roles).length, "execution role")} with ${plural(policyCount, "policy document")}, ` +
        `${plural(Object.keys(alarms).length, "alarm")} (${callsText(phase.calls)})`,
    );
  }
  return { roles, alarms };
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
