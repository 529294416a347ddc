/**
 * The renderers: text (terminal), markdown (pull-request comment), json (contract §3).
 * They print a Plan or ApplyReport; they never compute drift or actions.
 */
import type { ApplyReport, Plan } from "../plan/types";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import { renderText } from "./text";

export { renderJson, toJsonDocument } from "./json";
export { renderMarkdown } from "./markdown";
export { renderText } from "./text";

export const OUTPUT_FORMATS = ["text", "json", "markdown"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function renderReport(
  report: Plan | ApplyReport,
  format: OutputFormat,
  opts: { color: boolean; refused?: string },
): string {
  switch (format) {
    case "json":
      return renderJson(report);
    case "markdown":
      return renderMarkdown(report, opts.refused);
    case "text":
      return renderText(report, opts);
  }
}
