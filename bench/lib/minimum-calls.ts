/**
 * The fewest read calls AWS's APIs allow for reading what the diff needs of a fleet (documented in
 * bench/README.md). Each term is the cheapest AWS read that returns that information, at its
 * largest page or batch:
 *
 *   ceil(FS_region / 100)      efs:DescribeFileSystems       region sweep, 100 per page
 * + ceil(AP_region / 100)      efs:DescribeAccessPoints      region sweep, 100 per page
 * + ceil(FN_region / 50)       lambda:ListFunctions          region sweep, 50 per page
 * + FS                         efs:DescribeMountTargets      per file system only (≤ 10 per page; one per AZ)
 * + FS                         efs:DescribeLifecycleConfiguration   per file system only
 * + FS_backup                  efs:DescribeBackupPolicy      per file system whose backup is managed
 * + FS_bound                   efs:DescribeFileSystemPolicy  per file system functions mount (no batch read)
 * + ceil(SG / 200)             ec2:DescribeSecurityGroups    200 filter values per call
 * + max(ceil(SG/200), ceil(RULES/1000))  ec2:DescribeSecurityGroupRules  1000 per page
 * + ceil(MT / 200)             ec2:DescribeNetworkInterfaces mount-target groups, 200 ids per call
 * + ceil(SUBNETS / 200)        ec2:DescribeSubnets
 * + ceil(VPCS / 200)           ec2:DescribeRouteTables       every table of the VPCs (associated and main)
 * + ceil(ALARMS / 100)         cloudwatch:DescribeAlarms     by name prefix, 100 per page
 * + ceil(ALARMS / 100)         tagging:GetResources          the alarms' tags, 100 per page
 * + ceil(ROLES / 1000)         iam:GetAccountAuthorizationDetails   every role with its policies, 1000 per page
 */

export interface FleetInventory {
  /** In the region (a sweep pays for every one, managed or not). */
  fileSystemsInRegion: number;
  accessPointsInRegion: number;
  functionsInRegion: number;
  /** Named by manifests. */
  fileSystemsManaged: number;
  fileSystemsWithBackupManaged: number;
  /** Mounted by a manifest's function (their resource policy is part of the IAM check). */
  fileSystemsBound: number;
  securityGroups: number;
  securityGroupRules: number;
  mountTargets: number;
  subnets: number;
  vpcs: number;
  /** efs-reconciler's alarms (name prefix) in the region. */
  alarms: number;
  /** Execution roles of the manifests' functions (and every other role of the account). */
  roles: number;
}

export const API_LIMITS = {
  describeFileSystemsPage: 100,
  describeAccessPointsPage: 100,
  listFunctionsPage: 50,
  ec2FilterValues: 200,
  ec2Page: 1000,
  describeAlarmsPage: 100,
  taggingPage: 100,
  iamAuthorizationDetailsPage: 1000,
} as const;

const pages = (items: number, size: number): number => Math.ceil(items / size);

export function minimumReadCalls(f: FleetInventory): { total: number; terms: Record<string, number> } {
  const L = API_LIMITS;
  const terms: Record<string, number> = {
    "efs:DescribeFileSystems": Math.max(1, pages(f.fileSystemsInRegion, L.describeFileSystemsPage)),
    "efs:DescribeAccessPoints": Math.max(1, pages(f.accessPointsInRegion, L.describeAccessPointsPage)),
    "lambda:ListFunctions": Math.max(1, pages(f.functionsInRegion, L.listFunctionsPage)),
    "efs:DescribeMountTargets": f.fileSystemsManaged,
    "efs:DescribeLifecycleConfiguration": f.fileSystemsManaged,
    "efs:DescribeBackupPolicy": f.fileSystemsWithBackupManaged,
    "efs:DescribeFileSystemPolicy": f.fileSystemsBound,
    "ec2:DescribeSecurityGroups": pages(f.securityGroups, L.ec2FilterValues),
    "ec2:DescribeSecurityGroupRules": Math.max(
      pages(f.securityGroups, L.ec2FilterValues),
      pages(f.securityGroupRules, L.ec2Page),
    ),
    "ec2:DescribeNetworkInterfaces": pages(f.mountTargets, L.ec2FilterValues),
    "ec2:DescribeSubnets": pages(f.subnets, L.ec2FilterValues),
    "ec2:DescribeRouteTables": pages(f.vpcs, L.ec2FilterValues),
    "cloudwatch:DescribeAlarms": Math.max(1, pages(f.alarms, L.describeAlarmsPage)),
    "tagging:GetResources": Math.max(1, pages(f.alarms, L.taggingPage)),
    "iam:GetAccountAuthorizationDetails": Math.max(1, pages(f.roles, L.iamAuthorizationDetailsPage)),
  };
  return { total: Object.values(terms).reduce((a, b) => a + b, 0), terms };
}
