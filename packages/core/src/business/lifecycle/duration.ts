// Durations for advancing test clocks: `90m`, `36h`, `7d`, `2w`, `45s`, combined (`1d12h`),
// or ISO 8601 (`P1DT2H`, `PT90M`, `P2W`). Calendar months and years are refused: their
// length depends on the start (advance with an instant instead).
const UNIT_MS: Record<string, number> = {
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
};

/** Milliseconds of a duration, or null when `text` is not one. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  const short = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(s);
  if (short && s !== '') {
    const [, w, d, h, m, sec] = short;
    return sum([w, d, h, m, sec], ['w', 'd', 'h', 'm', 's']);
  }
  const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s);
  if (iso && s.length > 1 && !/T$/i.test(s)) {
    const [, w, d, h, m, sec] = iso;
    return sum([w, d, h, m, sec], ['w', 'd', 'h', 'm', 's']);
  }
  return null;
}

function sum(parts: (string | undefined)[], units: string[]): number {
  let ms = 0;
  parts.forEach((p, i) => {
    if (p !== undefined) ms += Math.round(Number(p) * UNIT_MS[units[i]!]!);
  });
  return ms;
}
