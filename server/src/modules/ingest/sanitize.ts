/**
 * What PostgreSQL cannot store, made storable before an event reaches the writer: `jsonb` and
 * `text` refuse the NUL character (`\u0000`) and lone UTF-16 surrogates (`\ud800` without its
 * pair), and its JSON parser recurses per nesting level. One such value used to fail the whole
 * group commit, so every workspace's events in it. Pure, no I/O.
 *
 * Cost is linear in the size of the value. The first pass is iterative (an explicit stack), so a
 * value nested 100,000 levels deep (JSON.parse builds one happily) cannot overflow the call
 * stack; it stops at the first container deeper than `maxDepth`. Only a value that needs repair
 * is copied, by a recursive second pass that the first pass has bounded to `maxDepth` levels.
 */

import { isStorableString, storableString } from '../../platform/text';

/** Deepest nesting accepted in an event (the event object itself is level 1). */
export const MAX_DEPTH = 64;

export type SanitizeWarningCode = 'nul_removed' | 'lone_surrogate_replaced';

/** What was changed, where: up to a few paths per kind, and how many values in all. */
export interface SanitizeWarning {
  code: SanitizeWarningCode;
  /** How many strings (values or keys) were changed. */
  count: number;
  /** Dotted paths of the first few changed values (`properties.name`, `traits.tags[2]`). */
  fields: string[];
}

export type SanitizeResult<T> =
  | { ok: true; value: T; warnings: SanitizeWarning[] }
  | { ok: false; code: 'too_deep'; field: string; message: string };

const MAX_WARNING_FIELDS = 10;

/** NUL removed, lone surrogates replaced by U+FFFD (`toWellFormed`); other strings as they are. */
export const cleanString = storableString;

const needsCleaning = (s: string): boolean => !isStorableString(s);

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object';
}

const MAX_PATH_LENGTH = 500;

/** A path fit for a warning or an error message: clean, and cut to a readable length. */
function shortPath(path: string): string {
  const clean = cleanString(path);
  return clean.length > MAX_PATH_LENGTH ? `${clean.slice(0, MAX_PATH_LENGTH).toWellFormed()}…` : clean;
}

function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Check depth and find what needs repair, without copying. Returns the path of the first
 * container nested too deep, or whether any string (value or key) needs cleaning.
 */
function inspect(root: unknown, maxDepth: number): { tooDeep: string } | { dirty: boolean } {
  if (!isContainer(root)) return { dirty: typeof root === 'string' && needsCleaning(root) };
  let dirty = false;
  // Paths are built only for the too-deep report, from the parent chain kept on the stack.
  interface Frame { value: Record<string, unknown> | unknown[]; depth: number; parent: Frame | null; key: string | number }
  const stack: Frame[] = [{ value: root, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (f.depth > maxDepth) return { tooDeep: shortPath(pathOf(f)) };
    if (Array.isArray(f.value)) {
      const arr = f.value;
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        if (typeof v === 'string') dirty ||= needsCleaning(v);
        else if (isContainer(v)) stack.push({ value: v, depth: f.depth + 1, parent: f, key: i });
      }
    } else {
      for (const k of Object.keys(f.value)) {
        dirty ||= needsCleaning(k);
        const v = f.value[k];
        if (typeof v === 'string') dirty ||= needsCleaning(v);
        else if (isContainer(v)) stack.push({ value: v, depth: f.depth + 1, parent: f, key: k });
      }
    }
  }
  return { dirty };

  function pathOf(f: Frame): string {
    const keys: (string | number)[] = [];
    for (let at: Frame | null = f; at && at.parent; at = at.parent) keys.push(at.key);
    return keys.reverse().reduce<string>((p, k) => joinPath(p, k), '');
  }
}

class Notes {
  private byCode = new Map<SanitizeWarningCode, SanitizeWarning>();

  note(code: SanitizeWarningCode, field: string): void {
    let w = this.byCode.get(code);
    if (!w) this.byCode.set(code, (w = { code, count: 0, fields: [] }));
    w.count++;
    if (w.fields.length < MAX_WARNING_FIELDS) w.fields.push(shortPath(field));
  }

  clean(s: string, field: string): string {
    const noNul = s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
    if (noNul !== s) this.note('nul_removed', field);
    if (noNul.isWellFormed()) return noNul;
    this.note('lone_surrogate_replaced', field);
    return noNul.toWellFormed();
  }

  list(): SanitizeWarning[] {
    return [...this.byCode.values()];
  }
}

/** A repaired copy; depth was bounded by inspect, so recursion is too. */
function repair(v: unknown, path: string, notes: Notes): unknown {
  if (typeof v === 'string') return needsCleaning(v) ? notes.clean(v, path) : v;
  if (!isContainer(v)) return v;
  if (Array.isArray(v)) return v.map((x, i) => repair(x, joinPath(path, i), notes));
  const entries: [string, unknown][] = [];
  for (const k of Object.keys(v)) {
    const key = needsCleaning(k) ? notes.clean(k, joinPath(path, k)) : k;
    entries.push([key, repair(v[k], joinPath(path, key), notes)]);
  }
  // fromEntries defines own properties, so a "__proto__" key stays data, never a prototype.
  return Object.fromEntries(entries);
}

/**
 * Make a parsed JSON value storable: NUL removed and lone surrogates replaced by U+FFFD in every
 * string and key at any depth (each change noted), or refused when nested deeper than `maxDepth`.
 * Returns the same reference when nothing needed repair.
 */
export function sanitizeJson<T>(value: T, opts: { maxDepth?: number } = {}): SanitizeResult<T> {
  const maxDepth = opts.maxDepth ?? MAX_DEPTH;
  const found = inspect(value, maxDepth);
  if ('tooDeep' in found) {
    return { ok: false, code: 'too_deep', field: found.tooDeep, message: `${found.tooDeep || 'the value'} is nested deeper than ${maxDepth} levels` };
  }
  if (!found.dirty) return { ok: true, value, warnings: [] };
  const notes = new Notes();
  const repaired = repair(value, '', notes) as T;
  return { ok: true, value: repaired, warnings: notes.list() };
}
