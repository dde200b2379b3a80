import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { instantOf } from '../../common/dates';

/** What instantOf answered when luxon parsed every value (the reference for its fast path). */
function byLuxon(value: string): string | null {
  const v = value.trim();
  if (!/T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(v)) return null;
  const d = DateTime.fromISO(v, { setZone: true });
  return d.isValid ? d.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'") : null;
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('instantOf', () => {
  it('answers as luxon does for the shapes Altegio sends and their edges', () => {
    const edges = [
      '2026-06-05T23:59:59+09:00', '2026-06-05T23:59:59Z', '2026-06-05T00:00:00-05:30', '2026-06-05T23:59:59+0930', '2026-06-05T23:59:59-11',
      '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z', '1900-02-29T12:00:00Z', '2000-02-29T23:30:00-01:00', '2026-12-31T23:59:59-14:00',
      '2026-01-01T00:00:00+14:00', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-04-31T00:00:00Z', '2026-06-05T24:00:00Z',
      '2026-06-05T23:60:00Z', '2026-06-05T23:59:60Z', '2026-06-05T23:59:59+24:00', '2026-06-05T23:59:59+05:60', '0999-06-05T23:59:59Z',
      '1000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '2026-06-05T23:59:59.999-05:00', '2026-06-05t23:59:59z', ' 2026-06-05T23:59:59Z ',
      '2026-06-05T23:59+03:00', '2026-06-05', '2026-06-05 23:59:59', '2026-06-05T23:59:59', '', 'T10:00Z', '1969-12-31T23:59:59-00:30',
    ];
    for (const v of edges) expect(instantOf(v), v).toBe(byLuxon(v));
  });

  it('answers as luxon does for 5,000 random date-times with offsets', () => {
    const r = prng(11);
    const n = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const p = (x: number, w = 2) => String(x).padStart(w, '0');
    for (let i = 0; i < 5_000; i++) {
      const offset = r() < 0.2 ? 'Z' : `${r() < 0.5 ? '+' : '-'}${p(n(0, 25))}${r() < 0.8 ? ':' : ''}${p(n(0, 61))}`;
      const v = `${p(n(990, 2100), 4)}-${p(n(0, 13))}-${p(n(0, 32))}T${p(n(0, 24))}:${p(n(0, 60))}:${p(n(0, 60))}${offset}`;
      expect(instantOf(v), v).toBe(byLuxon(v));
    }
  });
});
