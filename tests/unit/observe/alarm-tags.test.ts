/**
 * Alarm tags in bulk: the tags of efs-reconciler's alarms come from one Resource Groups Tagging
 * sweep; an alarm the (eventually consistent) tagging index does not list is asked for its own.
 */
import { ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { describe, expect, it } from "vitest";
import { observe } from "../../../src/observe/observe";
import { convergedAccount, convergedDesired, FS_ID, mockAccount } from "./fake-account";

const ALARM = `efs-reconciler-${FS_ID}-percent-io-limit`;
const MANAGED = { "efs-reconciler.io/managed-by": "efs-reconciler" };

describe("observe: alarm tags", () => {
  it("reads the tags of a converged fleet's alarms in one tagging sweep, none one by one", async () => {
    const { clients, cloudwatch, tagging } = mockAccount(convergedAccount());
    const state = await observe(convergedDesired(), clients);
    expect(state.alarms?.[ALARM]?.tags).toMatchObject(MANAGED);
    expect(tagging).toHaveReceivedCommandTimes(GetResourcesCommand, 1);
    expect(cloudwatch).not.toHaveReceivedCommand(ListTagsForResourceCommand);
  });

  it("asks an alarm the tagging index does not list yet for its own tags", async () => {
    const { clients, cloudwatch, tagging } = mockAccount(convergedAccount());
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: "" });
    const state = await observe(convergedDesired(), clients);
    expect(state.alarms?.[ALARM]?.tags).toMatchObject(MANAGED);
    expect(cloudwatch).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 1);
  });
});
