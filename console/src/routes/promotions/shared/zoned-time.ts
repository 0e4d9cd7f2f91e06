/**
 * Promotion windows are entered in the workspace's time zone (a shop in Hà Nội thinks in
 * Asia/Ho_Chi_Minh whatever the browser says) and stored as UTC instants.
 * Pickers speak "YYYY-MM-DD HH:mm:ss" wall-clock strings.
 */

function wallClockParts(instant: Date, timeZone: string): number[] {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
function offsetMs(instant: Date, timeZone: string): number {
  const [y, mo, d, h, mi, s] = wallClockParts(instant, timeZone);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - Math.floor(instant.getTime() / 1000) * 1000;
}

/** "2026-12-24 18:00:00" in the zone → ISO UTC instant. */
export function zonedToIso(wallClock: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(wallClock);
  if (!m) return new Date(wallClock).toISOString();
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const first = offsetMs(new Date(asUtc), timeZone);
  let t = asUtc - first;
  const second = offsetMs(new Date(t), timeZone);
  if (second !== first) t = asUtc - second;
  return new Date(t).toISOString();
}

/** ISO instant → "YYYY-MM-DD HH:mm:ss" on the zone's wall clock. */
export function isoToZoned(iso: string, timeZone: string): string {
  const [y, mo, d, h, mi, s] = wallClockParts(new Date(iso), timeZone);
  const p = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${y}-${p(mo)}-${p(d)} ${p(h)}:${p(mi)}:${p(s)}`;
}
