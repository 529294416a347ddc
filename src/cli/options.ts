/**
 * The common options of contract §3, as reusable commander options, and their parsed shapes.
 */
import { stat } from "node:fs/promises";
import { InvalidArgumentError, Option } from "commander";
import type { AwsErrorContext } from "../aws/errors";
import { OUTPUT_FORMATS, type OutputFormat } from "../render/index";
import { CliUsageError } from "./cli-error";

/** Program-wide options, accepted before or after the command name. */
export interface GlobalOptions {
  /** False with `--no-color`. */
  color: boolean;
  debug: boolean;
}

export interface ManifestOptions {
  manifests: string;
}

export interface OutputOptions {
  output: OutputFormat;
}

export interface AwsOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

export interface StateDirOptions {
  stateDir: string;
}

/** A count option: decimal digits only (no sign, hex, exponent or blank), at most 2^53 − 1. */
export function parseWholeNumber(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new InvalidArgumentError("expected a whole number ≥ 0, written in decimal digits");
  return n;
}

/** A duration option in seconds: decimal digits with an optional fraction, more than 0. */
export function parseSeconds(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number of seconds > 0");
  return n;
}

/**
 * `--state-dir` must be a directory, or not exist yet (it is created on first write): checked before
 * anything is read from AWS, so a typo costs nothing.
 */
export async function checkStateDir(dir: string): Promise<void> {
  const found = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw new CliUsageError(
      `--state-dir ${dir}: ${err.code ?? err.message}: use a directory efs-reconciler can write`,
      {
        cause: err,
      },
    );
  });
  if (found && !found.isDirectory()) {
    throw new CliUsageError(
      `--state-dir ${dir} is not a directory: name a directory (it is created if missing)`,
    );
  }
}

export const DEFAULT_MANIFESTS_DIR = "./desired-state";
export const DEFAULT_STATE_DIR = "./.efs-reconciler";

export function colorOption(): Option {
  return new Option(
    "--no-color",
    "never colour the output (colour is used only on a terminal; NO_COLOR also disables it)",
  );
}

export function debugOption(): Option {
  return new Option("--debug", "show stack traces of unexpected errors");
}

export function manifestsOption(): Option {
  return new Option(
    "--manifests <dir>",
    "directory of desired-state manifests (*.yaml, *.yml, searched recursively)",
  ).default(DEFAULT_MANIFESTS_DIR);
}

export function outputOption(): Option {
  return new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("text");
}

/** An endpoint URL: http or https, with a host. */
export function parseEndpointUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw new InvalidArgumentError("expected an http:// or https:// URL, e.g. http://localhost:4566");
  }
  return value;
}

export function awsOptions(): Option[] {
  return [
    new Option("--region <region>", "AWS region (default: AWS_REGION, or the profile's region)"),
    new Option("--profile <profile>", "AWS named profile (default: AWS_PROFILE, or the default chain)"),
    new Option(
      "--endpoint-url <url>",
      "send every AWS call to this endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL[_<SERVICE>])",
    ).argParser(parseEndpointUrl),
  ];
}

export function stateDirOption(): Option {
  return new Option("--state-dir <dir>", "directory of local records (drift events, last runs)").default(
    DEFAULT_STATE_DIR,
  );
}

/**
 * Common options (contract §3) a command has no use for, accepted so that one command line serves
 * every command, and left out of its help. Each is named by its flags (e.g. `--state-dir <dir>`).
 */
export function unusedCommonOptions(...flags: string[]): Option[] {
  return flags.map((f) =>
    new Option(f, "accepted for a common command line; not used by this command").hideHelp(),
  );
}

/** What an AWS error message can name about the configuration in use. */
export function awsErrorContext(
  opts: Partial<AwsOptions>,
  env: Record<string, string | undefined>,
): AwsErrorContext {
  const context: AwsErrorContext = {};
  const endpoint = opts.endpointUrl ?? env.AWS_ENDPOINT_URL;
  if (endpoint) context.endpoint = endpoint;
  const profile = opts.profile ?? env.AWS_PROFILE;
  if (profile) context.profile = profile;
  if (opts.region) context.region = opts.region;
  return context;
}
