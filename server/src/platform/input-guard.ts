/**
 * Bad input is a 400 at the door, never a 500 from deep inside. Two hooks, registered once in
 * app.ts for every route, both after authentication (a caller without the permission hears 401
 * or 403 whatever the URL looks like, the same as for the clean URL):
 *  - preValidation: the URL must be valid percent-encoding (`/x#%E0` once threw URIError in a
 *    handler);
 *  - preHandler, on the values the handler will get (after schema validation and its type
 *    coercion): every string of params, query, headers and body must be text PostgreSQL can
 *    store, every number finite, and the body no deeper than MAX_DEPTH. `text` and `jsonb`
 *    refuse NUL (\u0000); a lone surrogate (\ud800) is an invalid escape in `jsonb` and silently
 *    becomes U+FFFD in `text`; Ajv's coercion turns the string "Infinity" into a number that
 *    passes `maximum`; PostgreSQL's JSON parser and recursive code stop at some depth. Checking
 *    here means no handler, service or query has to think about it, and the error names the
 *    place (`body.lines[0].sku`).
 * Routes that store such input cleaned instead of refusing it (the Segment tracking API keeps an
 * event with a NUL in a property, minus the NUL) declare `config: { cleansText: true }`.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route accepts unstorable text and cleans it itself: the input guard leaves it alone. */
    cleansText?: boolean;
  }
}

/** Deepest nesting of arrays and objects accepted in a body (the tracking API allows the same). */
export const MAX_DEPTH = 64;

const NUL = '\u0000';
/** With the `u` flag a paired surrogate is one astral code point, so this matches only lone ones. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why a string cannot be taken, or undefined when it can. */
export function unstorableText(s: string): string | undefined {
  if (s.includes(NUL)) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(s)) return 'is not well-formed Unicode (a lone surrogate such as \\ud800)';
  return undefined;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  // JSON.stringify escapes NUL and lone surrogates, so the path itself is always printable.
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * The first place in a parsed value holding unstorable text (in a value or a key), a number
 * that is not finite, or nesting deeper than `maxDepth`; walked without recursion: a 1 MB body
 * can nest 500,000 levels.
 */
export function findBadInput(value: unknown, root: string, maxDepth = MAX_DEPTH): { field: string; problem: string } | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) return { field: item.path, problem };
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { field: item.path, problem: 'is not a finite number' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (item.depth >= maxDepth) return { field: item.path, problem: `is nested deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: childPath(item.path, i), depth: item.depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const keyProblem = unstorableText(key);
      if (keyProblem) return { field: childPath(item.path, key), problem: `has a key that ${keyProblem}` };
      stack.push({ value: (v as Record<string, unknown>)[key], path: childPath(item.path, key), depth: item.depth + 1 });
    }
  }
  return undefined;
}

export function badUrlEncoding(): AppError {
  return new AppError('bad_request', 'url: not valid percent-encoding (each % must start a UTF-8 byte sequence like %C3%A1)', { field: 'url' });
}

/** preValidation: a URL that is not valid percent-encoding (e.g. `%E0`, `%ED%A0%80`, a lone `%`) is a 400. */
export async function checkUrlEncoding(request: FastifyRequest): Promise<void> {
  const url = request.raw.url ?? request.url;
  if (!url.includes('%')) return;
  try {
    decodeURIComponent(url);
  } catch {
    throw badUrlEncoding();
  }
}

/**
 * Fastify's `frameworkErrors`: the router's own refusals, before any hook runs (a path it cannot
 * decode, a path parameter over 100 characters), in the same error model as everything else.
 */
export function routerError(err: { code?: string }): AppError {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new AppError('url_too_long', 'url: a path segment is longer than 100 characters', { field: 'url' });
  return badUrlEncoding();
}

/** preHandler: params, query, headers and body hold only storable text and finite numbers, nested at most MAX_DEPTH. */
export async function checkStorableInput(request: FastifyRequest): Promise<void> {
  if (request.routeOptions.config.cleansText) return;
  const bad =
    findBadInput(request.params, 'params') ??
    findBadInput(request.query, 'query') ??
    findBadInput(request.headers, 'headers') ??
    findBadInput(request.body, 'body');
  if (bad) throw new AppError('invalid_field', `${bad.field}: ${bad.problem}`, { field: bad.field });
}
