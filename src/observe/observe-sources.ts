/** Observation's first stage (stages.ts): EFS and Lambda. */
import type { DesiredState } from "../desired-state/types";
import { plural } from "../plural";
import { distinct } from "./aws-reader";
import { groupAccessPoints, sweepAccessPoints } from "./read-access-points";
import { readFileSystemPolicies } from "./read-file-system-policies";
import {
  type FileSystemDetails,
  type FileSystemResolution,
  readFileSystemDetails,
  resolveFileSystem,
  sweepFileSystems,
  toObservedFileSystem,
} from "./read-file-systems";
import { matchFunctions, mountedBy, sweepFunctions } from "./read-functions";
import { type ObserveOptions, stageContext } from "./stage-context";
import {
  callsText,
  type ObservedSources,
  type SourceFileSystemLookup,
  type SourcesClients,
  type StageContext,
} from "./stages";

/** Stage 1: EFS and Lambda. */
export async function observeSources(
  desired: DesiredState,
  clients: SourcesClients,
  context: StageContext,
): Promise<ObservedSources> {
  const { reader, limit, log } = context;
  const region = reader.region;
  const wantFileSystems = desired.fileSystems.length > 0;
  const wantFunctions = wantFileSystems || desired.functions.length > 0;

  // Region-wide sweeps, concurrently.
  const sweeps = reader.phase();
  const [fileSystems, accessPoints, functions] = await Promise.all([
    wantFileSystems ? sweepFileSystems(sweeps, clients.efs) : [],
    wantFileSystems ? sweepAccessPoints(sweeps, clients.efs) : [],
    wantFunctions ? sweepFunctions(sweeps, clients.lambda) : [],
  ]);
  log(
    `observed ${plural(fileSystems.length, "file system")}, ${plural(accessPoints.length, "access point")}, ` +
      `${plural(functions.length, "function")} in ${region} (${callsText(sweeps.calls)})`,
  );

  const resolutions = new Map<string, FileSystemResolution>();
  // One manifest per file system: a second manifest that resolves to a file system an earlier one
  // already designates is not matched (two manifests would fight over its settings).
  const claimedBy = new Map<string, string>();
  for (const m of desired.fileSystems) {
    const r = resolveFileSystem(m, fileSystems, region);
    const first = r.found ? claimedBy.get(r.fileSystemId) : undefined;
    if (r.found && first !== undefined) {
      resolutions.set(m.name, {
        found: false,
        reason: `${r.fileSystemId} is already managed by FileSystem/${first}; keep one manifest per file system`,
        candidates: [r.fileSystemId],
      });
      continue;
    }
    if (r.found) claimedBy.set(r.fileSystemId, m.name);
    resolutions.set(m.name, r);
  }
  const foundIds = distinct([...resolutions.values()].map((r) => (r.found ? r.fileSystemId : undefined)));
  const backupManaged = new Set<string>();
  for (const m of desired.fileSystems) {
    const r = resolutions.get(m.name);
    if (r?.found && m.spec.backupPolicy !== undefined) backupManaged.add(r.fileSystemId);
  }

  const functionLookups = matchFunctions(desired.functions, functions);
  // The resource policies of the file systems functions are bound to (the least-privilege check).
  const boundFileSystemIds = distinct(
    desired.functions.map((f) => {
      const ap = desired.accessPoints.find((a) => a.name === f.spec.accessPoint);
      const r = ap ? resolutions.get(ap.spec.fileSystem) : undefined;
      return functionLookups[f.name]?.found && r?.found ? r.fileSystemId : undefined;
    }),
  );

  // Per-file-system reads, bounded.
  const detailsPhase = reader.phase();
  const [detailEntries, fileSystemPolicies] = await Promise.all([
    Promise.all(
      foundIds.map(
        async (id) =>
          [
            id,
            await readFileSystemDetails(detailsPhase, clients.efs, id, backupManaged.has(id), limit),
          ] as const,
      ),
    ),
    readFileSystemPolicies(detailsPhase, clients.efs, boundFileSystemIds, limit),
  ]);
  const details = new Map<string, FileSystemDetails>();
  for (const [id, d] of detailEntries) if (d) details.set(id, d);
  if (foundIds.length > 0) {
    const mountTargets = [...details.values()].reduce((n, d) => n + d.mountTargets.length, 0);
    const policies = Object.values(fileSystemPolicies).filter((p) => p !== null).length;
    log(
      `observed ${plural(mountTargets, "mount target")}, lifecycle of ${plural(details.size, "file system")}, ` +
        `backup policy of ${backupManaged.size}, ${plural(policies, "file-system policy", "file-system policies")} ` +
        `(${callsText(detailsPhase.calls)})`,
    );
  }

  const accessPointsByFs = groupAccessPoints(accessPoints, new Set(details.keys()));
  const lookups: Record<string, SourceFileSystemLookup> = {};
  for (const m of desired.fileSystems) {
    const r = resolutions.get(m.name);
    if (!r) continue;
    if (!r.found) {
      lookups[m.name] = r;
      continue;
    }
    const fs = fileSystems.find((f) => f.FileSystemId === r.fileSystemId);
    const d = details.get(r.fileSystemId);
    lookups[m.name] =
      fs && d
        ? {
            found: true,
            fileSystem: toObservedFileSystem(fs, d, accessPointsByFs.get(r.fileSystemId) ?? []),
            mountTargets: d.mountTargets,
          }
        : {
            found: false,
            reason: `file system ${r.fileSystemId} disappeared while it was being read; run again`,
            candidates: [r.fileSystemId],
          };
  }
  return {
    region,
    fileSystems: lookups,
    functions: functionLookups,
    fileSystemPolicies,
    mountedBy: mountedBy(functions),
  };
}

/** The stage on its own, as a function of its own runs it: its own reader, rate limits and bound. */
export async function observeSourcesAlone(
  desired: DesiredState,
  clients: SourcesClients,
  options: ObserveOptions,
): Promise<ObservedSources> {
  return observeSources(desired, clients, stageContext(await clients.region(), options));
}
