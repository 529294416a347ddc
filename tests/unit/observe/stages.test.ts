/**
 * Observation's three stages as the workflow runs them — each on its own, its result passed on as
 * JSON — assemble exactly the snapshot `observe()` reads in one process.
 */
import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../../src/desired-state/types";
import { observe } from "../../../src/observe/observe";
import { observeChecklistAlone } from "../../../src/observe/observe-checklist";
import { observeNetworkAlone } from "../../../src/observe/observe-network";
import { observeSourcesAlone } from "../../../src/observe/observe-sources";
import { assembleObservation, type ObservedSources } from "../../../src/observe/stages";
import {
  type Account,
  convergedAccount,
  convergedDesired,
  fsManifest,
  MT_SG,
  mockAccount,
} from "./fake-account";

/** What a state payload carries: the value through JSON. */
function overTheWire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function staged(desired: DesiredState, account: Account) {
  const { clients } = mockAccount(account);
  const sources = await observeSourcesAlone(desired, clients, {});
  const passed: ObservedSources = overTheWire(sources);
  const [network, checklist] = await Promise.all([
    observeNetworkAlone(desired, passed, clients, {}),
    observeChecklistAlone(desired, passed, clients, {}),
  ]);
  return { sources, network, checklist };
}

const cases: [string, () => { desired: DesiredState; account: Account }][] = [
  ["a converged account", () => ({ desired: convergedDesired(), account: convergedAccount() })],
  [
    "mount targets and functions naming no VPC (the main tables read in a round of their own)",
    () => {
      const account = convergedAccount();
      for (const mt of account.mountTargets) delete mt.VpcId;
      for (const fn of account.functions) if (fn.VpcConfig) fn.VpcConfig.VpcId = "vpc-stale";
      return { desired: convergedDesired(), account };
    },
  ],
  [
    "a manifest asking for an AZ beyond the functions' (the VPC's subnets read after)",
    () => {
      const desired = convergedDesired();
      desired.fileSystems = [
        fsManifest("ml-data", {
          backupPolicy: "ENABLED",
          mountTargets: {
            securityGroupId: MT_SG,
            availabilityZones: ["us-east-1c"],
            allowedSecurityGroupIds: [],
          },
        }),
      ];
      return { desired, account: convergedAccount() };
    },
  ],
  [
    "a file system and a function not found",
    () => {
      const account = convergedAccount();
      account.fileSystems = account.fileSystems.slice(1);
      account.functions = account.functions.slice(1);
      return { desired: convergedDesired(), account };
    },
  ],
];

describe("observation in stages", () => {
  it.each(cases)("assembles the snapshot observe() reads in one process: %s", async (_name, make) => {
    const { desired, account } = make();
    const whole = await observe(desired, mockAccount(account).clients);

    const stages = await staged(desired, account);

    // Each stage's result is plain JSON: nothing is lost or changed on its way to the next state.
    for (const result of Object.values(stages)) expect(overTheWire(result)).toStrictEqual(result);
    expect(assembleObservation(overTheWire(stages))).toStrictEqual(overTheWire(whole));
  });

  it("the comparison can fail: a stage's result is part of the snapshot", async () => {
    const { desired, account } = cases[0]?.[1]() ?? {
      desired: convergedDesired(),
      account: convergedAccount(),
    };
    const whole = await observe(desired, mockAccount(account).clients);
    const stages = overTheWire(await staged(desired, account));
    stages.network.securityGroups = {};
    expect(assembleObservation(stages)).not.toStrictEqual(overTheWire(whole));
  });
});
