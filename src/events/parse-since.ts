/**
 * The `--since` value of `efs-reconciler events`: an ISO 8601 time, or a duration back from now
 * such as `90m`, `24h`, `7d`, `2w`. Pure.
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

export class SinceFormatError extends Error {
  override name = "SinceFormatError";
}

export function parseSince(value: string, now: Date): Date {
  const text = value.trim();
  const duration = /^(\d+)\s*([smhdw])$/i.exec(text);
  if (duration) {
    const seconds = Number(duration[1]) * (UNIT_SECONDS[(duration[2] ?? "").toLowerCase()] ?? 0);
    return new Date(now.getTime() - seconds * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return new Date(time);
  }
  throw new SinceFormatError(
    `--since ${JSON.stringify(value)} is neither a duration nor a time: pass e.g. 24h, 30m, 7d, 2w, or an ISO time like 2026-11-28T04:00:00Z`,
  );
}
