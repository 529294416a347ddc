/**
 * A LambdaFunction manifest's `functionName` (a name, a partial ARN or a full ARN) and whether a
 * listed function is the one it designates: the name part must be equal, and a region, account
 * or partition written in the reference must be the function's own.
 */

export interface FunctionRef {
  name: string;
  partition?: string;
  region?: string;
  account?: string;
}

interface ArnParts {
  partition: string;
  region: string;
  account: string;
  name: string;
}

const FULL_ARN = /^arn:([^:]+):lambda:([^:]+):(\d{12}):function:([^:]+)(?::[^:]+)?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::[^:]+)?$/;
const NAME = /^([^:]+)(?::[^:]+)?$/;

/** Parses `functionName` as written in a manifest (a qualifier, if any, is ignored). */
export function parseFunctionRef(functionName: string): FunctionRef {
  const full = FULL_ARN.exec(functionName);
  if (full) {
    return { partition: full[1]!, region: full[2]!, account: full[3]!, name: full[4]! };
  }
  const partial = PARTIAL_ARN.exec(functionName);
  if (partial) return { account: partial[1]!, name: partial[2]! };
  const plain = NAME.exec(functionName);
  return { name: plain ? plain[1]! : functionName };
}

function parseFunctionArn(arn: string): ArnParts | undefined {
  const m = FULL_ARN.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]! } : undefined;
}

/** Whether the listed function (`FunctionName`, `FunctionArn`) is the one `ref` designates. */
export function refersTo(ref: FunctionRef, functionName: string, functionArn: string | undefined): boolean {
  if (ref.name !== functionName) return false;
  if (ref.region === undefined && ref.account === undefined && ref.partition === undefined) return true;
  const arn = functionArn ? parseFunctionArn(functionArn) : undefined;
  if (!arn) return false;
  return (
    (ref.region === undefined || ref.region === arn.region) &&
    (ref.account === undefined || ref.account === arn.account) &&
    (ref.partition === undefined || ref.partition === arn.partition)
  );
}
