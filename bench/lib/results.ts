/** The shape of bench/results.json. */
import type { ServiceName } from "../../src/aws/clients";
import type { MachineInfo } from "./machine";

export interface ConvergedResult {
  fileSystems: number;
  apiCalls: number;
  minimumApiCalls: number;
  mutatingCalls: number;
  seconds: number;
  baselineApiCalls: number;
  baselineSeconds: number;
  /** apiCalls / minimumApiCalls. */
  ratioToMinimum: number;
  /** baselineApiCalls / apiCalls. */
  fewerCallsThanBaseline: number;
  /** Both observers lead to the same drift and actions. */
  samePlanAsBaseline: boolean;
  byCommand: Record<string, number>;
  minimumByCommand: Record<string, number>;
  baselineByCommand: Record<string, number>;
}

export interface ScaleResult {
  fileSystems: number;
  functions: number;
  accessPoints: number;
  mountTargets: number;
  /** Median of the measured passes: observe + diff + plan, wall time against the emulator. */
  planSeconds: number;
  /** CPU time of the bench process in that pass: efs-reconciler's own work (SDK included). */
  cpuSeconds: number;
  cpuSecondsPerFileSystem: number;
  observeSeconds: number;
  diffSeconds: number;
  loadSeconds: number;
  apiCalls: number;
  minimumApiCalls: number;
  secondsPerFileSystem: number;
  callsPerFileSystem: number;
  peakInFlight: Partial<Record<ServiceName, number>>;
  passes: number[];
  /** Mean milliseconds the emulator took per call, by `service:Command`. */
  meanMsByCommand: Record<string, number>;
  byCommand: Record<string, number>;
  /** Lower bound of the same calls under the default rate limits (calls / rate, per service). */
  rateLimitedSecondsAtLeast: number;
}

export interface RateLimitResult {
  fileSystems: number;
  limits: Partial<Record<ServiceName, number>>;
  seconds: number;
  apiCalls: number;
  peakInFlight: Partial<Record<ServiceName, number>>;
  peakPerSecond: Partial<Record<ServiceName, number>>;
  /** Calls per second beyond the first second's bucket, over the whole pass, per service. */
  sustainedPerSecond: Partial<Record<ServiceName, number>>;
}

export interface BundleResult {
  name: string;
  bytes: number;
  gzipBytes: number;
  initMs: number;
  /** Load only, no event. */
  importMs: number;
  /**
   * The sample event answered a second time by the same (warm) process: the answer's own time —
   * for Plan and Verify mostly the emulator answering the calls — with no start-up cost in it.
   */
  secondAnswerMs: number;
  bareNodeMs: number;
  /** The sample event was answered without an error. */
  answered: boolean;
  error?: string;
  /** `npm run build` output, or bundled by the bench itself. */
  source: string;
  file: string;
}

/** The same handlers built another way (a design option), measured alongside. */
export interface BundleOption {
  option: string;
  description: string;
  bundles: { name: string; bytes: number; initMs?: number; bareNodeMs?: number }[];
}

export interface TransitionRun {
  fileSystems: number;
  actions: number;
  transitions: number;
  status: string;
}

export interface LargePlanResult {
  fileSystems: number;
  actions: number;
  planBytes: number;
  /** What the Plan state's output would weigh with the plan inline. */
  inlineStepBytes: number;
  /** Largest input or output of any state of the execution (children included). */
  maxStatePayloadBytes: number;
  maxStatePayloadState: string;
  status: string;
  error?: string;
  stateTransitions: number;
  seconds: number;
  remainingDrift: number;
}

export interface GoalResult {
  goal: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface BenchResults {
  formatVersion: "1";
  machine: MachineInfo;
  benchSeconds: number;
  fleet: string;
  converged: ConvergedResult;
  scale: ScaleResult[];
  scaleGrowth: {
    from: number;
    to: number;
    cpuSecondsPerFileSystemRatio: number;
    callsPerFileSystemRatio: number;
    /** Wall time per file system against the emulator (its own answer times included). */
    secondsPerFileSystemRatio: number;
  };
  rateLimit: RateLimitResult;
  pureDiff: { resources: number; seconds: number; runs: number[]; drift: number; actions: number };
  bundles: BundleResult[];
  bundlesNote: string;
  bundleOptions: BundleOption[];
  stateTransitions: {
    converged: number;
    drifted: number;
    actions: number;
    perAction: number;
    runs: TransitionRun[];
  };
  largePlan: LargePlanResult;
  goals: GoalResult[];
}
