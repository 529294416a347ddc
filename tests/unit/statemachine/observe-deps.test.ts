import { describe, expect, it } from "vitest";
import { ingressGroupsFromEnv } from "../../../src/statemachine/observe-deps";

describe("MOUNT_TARGET_SECURITY_GROUP_IDS", () => {
  it("is the template's list, comma-separated, blanks and spaces dropped", () => {
    expect(ingressGroupsFromEnv({ MOUNT_TARGET_SECURITY_GROUP_IDS: "sg-1,sg-2" })).toEqual(["sg-1", "sg-2"]);
    expect(ingressGroupsFromEnv({ MOUNT_TARGET_SECURITY_GROUP_IDS: " sg-1 , ,sg-2 " })).toEqual([
      "sg-1",
      "sg-2",
    ]);
  });

  it("unset, empty (the template's default joined) or blank: no limit", () => {
    expect(ingressGroupsFromEnv({})).toBeUndefined();
    expect(ingressGroupsFromEnv({ MOUNT_TARGET_SECURITY_GROUP_IDS: "" })).toBeUndefined();
    expect(ingressGroupsFromEnv({ MOUNT_TARGET_SECURITY_GROUP_IDS: " , " })).toBeUndefined();
  });
});
