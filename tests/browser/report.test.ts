/**
 * The HTML report rendered by a real headless Chromium (Debian's `chromium` package), driven by
 * playwright-core. The screenshot goes to artifacts/report.png for CI to keep.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../unit/cli/run-cli";
import { localHistory } from "../unit/events/record-history";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = fileURLToPath(new URL("../../artifacts/report.png", import.meta.url));
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

class ChromiumMissingError extends Error {
  override name = "ChromiumMissingError";
}

let dir: string;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new ChromiumMissingError(
      `${CHROMIUM} not found: the report test needs Debian's chromium package; install it with: apt-get update && apt-get install -y chromium`,
    );
  }
  dir = await mkdtemp(join(tmpdir(), "efs-report-"));
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Writes the report of a recorded history with the CLI and opens it; fails on any request off the file. */
async function openReport(
  name: string,
  runs: number,
): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const stateDir = join(dir, name);
  await localHistory(stateDir, { runs });
  const file = join(dir, `${name}.html`);
  const run = await runCli(["report", "--html", file, "--state-dir", stateDir]);
  expect(run.code).toBe(0);

  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.route("**/*", async (route) => {
    requests.push(route.request().url());
    if (route.request().url().startsWith("file:")) await route.continue();
    else await route.abort();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, requests, errors };
}

/** The given attributes of every element the locator matches, in document order. */
async function attributes(locator: Locator, ...names: string[]): Promise<(string | null)[][]> {
  const out: (string | null)[][] = [];
  for (const element of await locator.all()) {
    out.push(await Promise.all(names.map((n) => element.getAttribute(n))));
  }
  return out;
}

/** The trimmed text of each cell of each row the locator matches. */
async function cells(rows: Locator): Promise<string[][]> {
  const out: string[][] = [];
  for (const row of await rows.all())
    out.push((await row.locator("td").allTextContents()).map((t) => t.trim()));
  return out;
}

describe("the HTML report in headless Chromium", () => {
  it("renders status, the timeline with one point per run and series, and the remediation times", async () => {
    const { page, requests, errors } = await openReport("full", 4);

    expect(await page.title()).toBe("efs-reconciler report");
    expect(await page.locator("#in-sync-count").textContent()).toBe("3 / 3");
    expect(
      await attributes(page.locator("#status-table tbody tr"), "data-kind", "data-name", "data-in-sync"),
    ).toEqual([
      ["FileSystem", "ml-models", "true"],
      ["AccessPoint", "models", "true"],
      ["LambdaFunction", "inference", "true"],
    ]);

    const chart = page.locator("#timeline-chart");
    expect(await chart.isVisible()).toBe(true);
    const found = page.locator("#timeline-chart circle.point.found");
    const remediated = page.locator("#timeline-chart circle.point.remediated");
    expect((await attributes(found, "data-value")).flat()).toEqual(["2", "3", "2", "0"]);
    expect((await attributes(remediated, "data-value")).flat()).toEqual(["0", "1", "1", "0"]);
    expect((await attributes(found, "data-run")).flat()).toEqual(["r1", "r2", "r3", "r4"]);
    expect(await page.locator("#timeline-chart polyline").count()).toBe(2);

    // Laid out for real: the points sit inside the chart, oldest run leftmost, more drift higher.
    const box = await chart.boundingBox();
    if (!box) throw new Error("the timeline chart has no layout box");
    const points: { x: number; y: number }[] = [];
    for (const circle of await found.all()) {
      const b = await circle.boundingBox();
      if (!b) throw new Error("a timeline point has no layout box");
      points.push({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
    }
    for (const p of points) {
      expect(p.x).toBeGreaterThan(box.x);
      expect(p.x).toBeLessThan(box.x + box.width);
      expect(p.y).toBeGreaterThan(box.y);
      expect(p.y).toBeLessThan(box.y + box.height);
    }
    const xs = points.map((p) => p.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(4);
    expect(points[1]?.y).toBeLessThan(points[0]?.y ?? 0);
    expect(points[0]?.y).toBeLessThan(points[3]?.y ?? 0);

    expect(await cells(page.locator("#mttr-table tbody tr"))).toEqual([
      ["FN_TIMEOUT", "1", "1 h 1 min", "1 h 1 min"],
      ["FS_LIFECYCLE_POLICY", "1", "1 h 1 min", "1 h 1 min"],
    ]);
    expect(await page.locator("#open-drift").textContent()).toContain("No open drift.");
    // 9 events: an apply records no DriftPersists for the auto drift it acts on (see record-history).
    expect(await page.locator("#events-table tbody tr").count()).toBe(9);

    await mkdir(join(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(10_000);

    expect(errors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
    await page.close();
  });

  it("lists open drift by severity while remediation is failing", async () => {
    const { page, errors } = await openReport("failing", 2);
    expect(await page.locator("#in-sync-count").textContent()).toBe("1 / 3");
    const severities = page.locator(".severity-counts > span");
    expect((await attributes(severities, "data-severity")).flat()).toEqual([
      "critical",
      "high",
      "medium",
      "low",
    ]);
    expect((await severities.allTextContents()).map((t) => t.trim())).toEqual([
      "0 critical",
      "0 high",
      "2 medium",
      "0 low",
    ]);
    const medium = page.locator('table.open-drift[data-severity="medium"] tbody tr');
    expect((await cells(medium)).map((row) => row.slice(0, 3))).toEqual(
      expect.arrayContaining([
        ["FS_PERFORMANCE_MODE", "fs-0abc", "FileSystem/ml-models"],
        ["FN_TIMEOUT", "inference", "LambdaFunction/inference"],
      ]),
    );
    expect(await medium.count()).toBe(2);
    expect(await page.locator("#open-drift").textContent()).toContain("failed in run r2");
    expect(
      (await attributes(page.locator('#status-table tr[data-in-sync="false"]'), "data-name")).flat(),
    ).toEqual(["ml-models", "inference"]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
