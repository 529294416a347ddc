/**
 * The CI gate on `npm audit --omit=dev --audit-level=high --json`: reads its JSON output (a file
 * argument, or stdin) and its exit code (`--exit-code N`), and decides.
 *
 * - A report (npm 7+ format, `auditReportVersion` 2) with high or critical advisories: exits 1
 *   with one line naming each advisory's package, severity, title and URL.
 * - A report without them: exits 0 ("no high or critical advisories ..."). A report that names
 *   none but counts some, or comes with a non-zero exit code, fails too: the gate never passes
 *   what it cannot explain.
 * - Anything else (the registry has no audit service, e.g. HTTP 405, or the output is not JSON):
 *   exits 0 with a WARNING line, because nothing could be checked.
 *
 * Usage: npm audit --omit=dev --audit-level=high --json > audit.json; \
 *        node scripts/audit-gate.mjs --exit-code $? audit.json
 */
import { readFileSync } from "node:fs";

const BLOCKING = new Set(["high", "critical"]);

/**
 * @typedef {{ package: string, severity: string, title: string, url: string }} Advisory
 * @typedef {{ code: 0 | 1, line: string }} Verdict
 */

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The high and critical advisories of a report, each once. A package affected only through
 * another vulnerable package (a `via` entry that is a name) is covered by that package's entry.
 * @param {Record<string, unknown>} vulnerabilities
 * @returns {Advisory[]}
 */
function blockingAdvisories(vulnerabilities) {
  /** @type {Map<string, Advisory>} */
  const found = new Map();
  for (const [name, entry] of Object.entries(vulnerabilities)) {
    if (!isObject(entry) || !Array.isArray(entry.via)) continue;
    for (const via of entry.via) {
      if (!isObject(via) || !BLOCKING.has(String(via.severity))) continue;
      const advisory = {
        package: typeof via.name === "string" ? via.name : name,
        severity: String(via.severity),
        title: typeof via.title === "string" ? via.title : "untitled advisory",
        url: typeof via.url === "string" ? via.url : "",
      };
      found.set(`${advisory.package}\n${advisory.title}\n${advisory.url}`, advisory);
    }
  }
  return [...found.values()];
}

/** @param {Advisory} a */
function advisoryText(a) {
  return `${a.package} (${a.severity}): ${a.title}${a.url ? ` ${a.url}` : ""}`;
}

/** @param {unknown} doc */
function serviceError(doc) {
  if (isObject(doc) && typeof doc.message === "string") return doc.message;
  if (isObject(doc) && isObject(doc.error) && typeof doc.error.summary === "string") return doc.error.summary;
  return "its output is not an audit report";
}

/**
 * The verdict on one `npm audit --json` output and its exit code.
 * @param {string} output
 * @param {number} exitCode
 * @returns {Verdict}
 */
function auditVerdict(output, exitCode) {
  /** @type {unknown} */
  let doc;
  try {
    doc = JSON.parse(output);
  } catch {
    doc = undefined;
  }
  if (!isObject(doc) || doc.auditReportVersion !== 2 || !isObject(doc.vulnerabilities)) {
    const why = doc === undefined ? "its output is not JSON" : serviceError(doc);
    return {
      code: 0,
      line: `WARNING: npm audit NOT CHECKED: the registry's audit service is unavailable (${why}; npm audit exited ${exitCode})`,
    };
  }
  const advisories = blockingAdvisories(doc.vulnerabilities);
  if (advisories.length > 0) {
    const n = advisories.length;
    return {
      code: 1,
      line: `npm audit: ${n} high or critical ${n === 1 ? "advisory" : "advisories"} in production dependencies: ${advisories.map(advisoryText).join("; ")}`,
    };
  }
  const counts =
    isObject(doc.metadata) && isObject(doc.metadata.vulnerabilities) ? doc.metadata.vulnerabilities : {};
  const counted = (Number(counts.high) || 0) + (Number(counts.critical) || 0);
  if (counted > 0 || exitCode !== 0) {
    return {
      code: 1,
      line: `npm audit: the report counts ${counted} high or critical vulnerabilities and npm audit exited ${exitCode}, but it names no high or critical advisory; run npm audit --omit=dev to see them`,
    };
  }
  return { code: 0, line: "npm audit: no high or critical advisories in production dependencies" };
}

/** @param {string[]} args */
function main(args) {
  let exitCode = 0;
  let file = "-";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--exit-code") {
      exitCode = Number.parseInt(args[++i] ?? "", 10);
      if (Number.isNaN(exitCode)) {
        console.error("audit-gate: --exit-code needs a number");
        return 2;
      }
    } else {
      file = arg;
    }
  }
  const output = readFileSync(file === "-" ? 0 : file, "utf8");
  const verdict = auditVerdict(output, exitCode);
  if (verdict.code === 0 && !verdict.line.startsWith("WARNING")) console.log(verdict.line);
  else console.error(verdict.line);
  return verdict.code;
}

process.exitCode = main(process.argv.slice(2));
