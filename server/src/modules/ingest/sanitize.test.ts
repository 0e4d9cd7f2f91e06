import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanString, MAX_DEPTH, sanitizeJson } from './sanitize';

/** Code units that break storage, mixed with ordinary and multi-unit characters. */
const hostileUnit = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '😀', 'đ', 'a', '"', '\\', '.'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const hostileJson = fc.jsonValue({ maxDepth: 8, stringUnit: hostileUnit });

/** Every string and key of a JSON value, iteratively. */
function everyString(v: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') out.push(x);
    else if (Array.isArray(x)) stack.push(...(x as unknown[]));
    else if (x !== null && typeof x === 'object') {
      for (const [k, child] of Object.entries(x)) {
        out.push(k);
        stack.push(child);
      }
    }
  }
  return out;
}

const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();

function nestedArrays(levels: number): unknown {
  return JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`) as unknown;
}

describe('sanitizeJson', () => {
  describe('when given any JSON value (property)', () => {
    it('never throws, and leaves no NUL or lone surrogate in any string or key', () => {
      fc.assert(
        fc.property(hostileJson, (v) => {
          const r = sanitizeJson(v);
          expect(r.ok).toBe(true);
          if (r.ok) expect(everyString(r.value).every(storable)).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('is idempotent: a second pass changes nothing and warns of nothing', () => {
      fc.assert(
        fc.property(hostileJson, (v) => {
          const once = sanitizeJson(v);
          if (!once.ok) return;
          const twice = sanitizeJson(once.value);
          expect(twice).toEqual({ ok: true, value: once.value, warnings: [] });
          expect(twice.ok && twice.value).toBe(once.value);
        }),
        { numRuns: 500 },
      );
    });

    it('returns the very same value, without warnings, when nothing needs repair', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
          fc.pre(everyString(v).every(storable));
          const r = sanitizeJson(v);
          expect(r.ok && r.value).toBe(v);
          expect(r.ok && r.warnings).toEqual([]);
        }),
      );
    });

    it('warns exactly when something was changed', () => {
      fc.assert(
        fc.property(hostileJson, (v) => {
          const r = sanitizeJson(v);
          const changed = everyString(v).some((s) => !storable(s));
          expect(r.ok && r.warnings.length > 0).toBe(changed);
        }),
      );
    });
  });

  describe('when a value is nested', () => {
    it(`accepts ${MAX_DEPTH} levels and refuses ${MAX_DEPTH + 1}, naming the path`, () => {
      expect(sanitizeJson(nestedArrays(MAX_DEPTH)).ok).toBe(true);
      const r = sanitizeJson({ a: { b: nestedArrays(MAX_DEPTH - 1) } });
      expect(r).toMatchObject({ ok: false, code: 'too_deep', field: `a.b${'[0]'.repeat(MAX_DEPTH - 2)}` });
    });

    it('refuses 100,000 levels without overflowing the stack', () => {
      const r = sanitizeJson({ deep: nestedArrays(100_000) });
      expect(r.ok).toBe(false);
    });

    it('takes the depth limit as an option', () => {
      expect(sanitizeJson({ a: { b: 1 } }, { maxDepth: 2 }).ok).toBe(true);
      expect(sanitizeJson({ a: { b: {} } }, { maxDepth: 2 }).ok).toBe(false);
    });
  });

  describe('when keys collide once cleaned, or are "__proto__"', () => {
    it('keeps every key as data, the later value winning a collision', () => {
      const v = JSON.parse('{"__proto__": {"polluted": "\\u0000yes"}, "a\\u0000": 1, "a": 2}') as Record<string, unknown>;
      const r = sanitizeJson(v);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const out = r.value as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(Object.keys(out)).toEqual(['__proto__', 'a']);
      expect(out.a).toBe(2);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('when many strings change', () => {
    it('lists at most 10 paths per warning but counts them all', () => {
      const r = sanitizeJson({ list: Array.from({ length: 25 }, () => 'x\u0000') });
      expect(r.ok && r.warnings).toEqual([{ code: 'nul_removed', count: 25, fields: Array.from({ length: 10 }, (_, i) => `list[${i}]`) }]);
    });
  });
});

describe('cleanString', () => {
  describe('when a NUL sits between the halves of a surrogate pair', () => {
    it('joins the pair once the NUL is gone', () => {
      expect(cleanString('\ud83d\u0000\ude00')).toBe('😀');
    });
  });
});
