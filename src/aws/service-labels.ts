/** How each service of the product is named in messages (no SDK import: the CLI loads it eagerly). */
import type { ServiceName } from "./clients";

export const SERVICE_LABEL: Record<ServiceName, string> = {
  ec2: "EC2",
  efs: "EFS",
  lambda: "Lambda",
  sfn: "Step Functions",
  iam: "IAM",
  cloudwatch: "CloudWatch",
  tagging: "Resource Groups Tagging",
};
