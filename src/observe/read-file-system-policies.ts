/** The file systems' resource policies (DescribeFileSystemPolicy), for the least-privilege check. */
import { DescribeFileSystemPolicyCommand, type EFSClient } from "@aws-sdk/client-efs";
import { type AwsReader, distinct } from "./aws-reader";
import type { Limiter } from "./limiter";

/** Each file system's resource policy text, `null` when it has none; file systems gone meanwhile are left out. */
export async function readFileSystemPolicies(
  reader: AwsReader,
  efs: EFSClient,
  fileSystemIds: readonly string[],
  limit: Limiter,
): Promise<Record<string, string | null>> {
  const entries = await Promise.all(
    distinct(fileSystemIds).map(async (id) => {
      const out = await limit(() =>
        reader.tryCall(
          "efs",
          "DescribeFileSystemPolicy",
          () => efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: id })),
          ["PolicyNotFound", "FileSystemNotFound"],
        ),
      );
      if (out.ok) return [[id, out.value.Policy ?? null] as const];
      return out.errorName === "PolicyNotFound" ? [[id, null] as const] : [];
    }),
  );
  return Object.fromEntries(entries.flat());
}
