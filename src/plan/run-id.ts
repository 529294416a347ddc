import { randomBytes } from "node:crypto";

/** A sortable run id: UTC timestamp plus randomness, e.g. `20261128T043000Z-9f2c41ab`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}
