/**
 * The `--since` value of `efs-reconciler events`: an ISO 8601 time (UTC unless it names a zone,
 * like every time efs-reconciler prints), or a duration back from now such as `90m`, `24h`, `7d`,
 * `2w`. Pure.
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
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (date) {
    // Every time efs-reconciler prints is UTC: a time without a zone is read as UTC too (Date.parse
    // would read it in the machine's zone), never as another day a wrong date rolls over to.
    const iso = text.replace(" ", "T");
    const zoned = !iso.includes("T") || /(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`;
    const time = Date.parse(zoned);
    const day = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])));
    const real = day.getUTCMonth() === Number(date[2]) - 1 && day.getUTCDate() === Number(date[3]);
    if (!Number.isNaN(time) && real) return new Date(time);
  }
  throw new SinceFormatError(
    `--since ${JSON.stringify(value)} is neither a duration nor a time: pass e.g. 24h, 30m, 7d, 2w, or an ISO time like 2026-11-28T04:00:00Z`,
  );
}
