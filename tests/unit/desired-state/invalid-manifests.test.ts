import { describe, expect, it } from "vitest";
import { loadFiles } from "./helpers";
import { invalidCases } from "./invalid-cases";
import { baseFiles } from "./manifest-texts";

describe("invalid manifests: one located line per error (FILE:LINE:COL: KIND/NAME: message)", () => {
  it("the base manifests the cases start from are valid", async () => {
    const { result } = await loadFiles(baseFiles());
    expect(result.ok).toBe(true);
  });

  it.each(invalidCases)("$rule", async ({ files, expected }) => {
    const { result, lines } = await loadFiles({ ...baseFiles(), ...files });
    expect(result.ok).toBe(false);
    expect(lines).toEqual(expected);
  });
});
