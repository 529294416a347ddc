/** Valid base manifests for the tests, written so that each field sits on a known line. */

const HEADER = "apiVersion: efs-reconciler.io/v1alpha1\n";

/**
 * A valid FileSystem named `data` (8 lines, spec last); `extra` lines are appended inside `spec`;
 * `edit` rewrites the text (keep the line count to keep positions).
 */
export function fileSystem(extra = "", edit: (text: string) => string = (t) => t): string {
  return edit(
    `${HEADER}kind: FileSystem
metadata:
  name: data
spec:
  fileSystemId: fs-0123456789abcdef0
  mountTargets:
    securityGroupId: sg-0123456789abcdef0
${extra}`,
  );
}

/** A valid AccessPoint named `app` of FileSystem `data` (15 lines, spec last). */
export function accessPoint(extra = "", edit: (text: string) => string = (t) => t): string {
  return edit(
    `${HEADER}kind: AccessPoint
metadata:
  name: app
spec:
  fileSystem: data
  posixUser:
    uid: 1000
    gid: 1000
  rootDirectory:
    path: /app
    creationInfo:
      ownerUid: 1000
      ownerGid: 1000
      permissions: "755"
${extra}`,
  );
}

/** A valid LambdaFunction named `api` (function `api-fn`) of AccessPoint `app` (7 lines, spec last). */
export function lambdaFunction(extra = "", edit: (text: string) => string = (t) => t): string {
  return edit(
    `${HEADER}kind: LambdaFunction
metadata:
  name: api
spec:
  functionName: api-fn
  accessPoint: app
${extra}`,
  );
}

/** The three valid base manifests, one per file. */
export function baseFiles(): Record<string, string> {
  return { "fs.yaml": fileSystem(), "ap.yaml": accessPoint(), "fn.yaml": lambdaFunction() };
}
