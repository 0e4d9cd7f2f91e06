/**
 * Validation and normalisation of Segment messages (identify, track, page, screen, group, alias).
 * Expected failures are values (a Rejection), never exceptions: a batch reports each bad item
 * and keeps the good ones.
 */
import crypto from 'node:crypto';
import { MAX_DEPTH, sanitizeJson, type SanitizeWarning } from './sanitize';

export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const LIMITS = {
  eventBytes: 32 * 1024,
  batchBytes: 500 * 1024,
  batchEvents: 2500,
} as const;

export interface Rejection {
  index?: number;
  code: 'payload_too_large' | 'no_user_anon_id' | 'missing_event' | 'invalid_field' | 'invalid_body' | 'unstorable_event';
  message: string;
  field?: string;
}

/**
 * Something Omni changed in an event to store it, recorded on the stored event
 * (`payload._omni.warnings`) and shown where events are read (timeline, export).
 */
export interface EventWarning {
  code: SanitizeWarning['code'] | 'timestamp_replaced';
  count: number;
  /** Where: dotted paths (`properties.name`) or the time fields replaced. */
  fields: string[];
}

/** Events may say when they happened between these (inclusive); outside, receivedAt is used. */
export const TIME_RANGE = { from: Date.parse('1970-01-01T00:00:00.000Z'), to: Date.parse('2100-12-31T23:59:59.999Z') } as const;

export interface ValidMessage {
  type: EventType;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  event: string | null;
  previousId: string | null;
  timestamp: Date;
  receivedAt: Date;
  /** The stored message: the client's fields, normalised (ISO times, type, messageId). */
  payload: Record<string, unknown>;
  traits: Record<string, unknown> | undefined;
  context: Record<string, unknown> | undefined;
  /** What was changed to store it (empty when nothing was). */
  warnings: EventWarning[];
}

const OBJECT_FIELDS = ['properties', 'traits', 'context', 'integrations'] as const;
const TIME_FIELDS = ['timestamp', 'originalTimestamp', 'sentAt'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A Segment id: a non-empty string, or a number (kept as its decimal string). */
function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  return null;
}

/** A time the client sent: absent, a date within TIME_RANGE, or unusable (does not parse, or out of range). */
function parseTime(v: unknown): Date | null | 'invalid' {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' && typeof v !== 'number') return 'invalid';
  const t = new Date(v).getTime();
  return Number.isNaN(t) || t < TIME_RANGE.from || t > TIME_RANGE.to ? 'invalid' : new Date(t);
}

function reject(code: Rejection['code'], message: string, field?: string): Rejection {
  return field === undefined ? { code, message } : { code, message, field };
}

/**
 * Validate one message. `type` comes from the route for single calls, from the item in a batch.
 * `byteSize` is the item's serialised size when the caller knows it.
 */
export function validateMessage(
  input: unknown,
  opts: { type?: EventType; receivedAt: Date; byteSize?: number },
): ValidMessage | Rejection {
  if (!isRecord(input)) return reject('invalid_body', 'each event must be a JSON object');
  // Before anything else reads it (JSON.stringify below recurses): depth, NUL, lone surrogates.
  const clean = sanitizeJson(input, { maxDepth: MAX_DEPTH });
  if (!clean.ok) return reject('invalid_field', `${clean.message}; the limit is ${MAX_DEPTH} levels`, clean.field);
  const raw = clean.value;
  const warnings: EventWarning[] = [...clean.warnings];
  const size = opts.byteSize ?? Buffer.byteLength(JSON.stringify(raw));
  if (size > LIMITS.eventBytes) {
    return reject('payload_too_large', `event is ${size} bytes; the limit is 32 KB (${LIMITS.eventBytes} bytes) per event`);
  }
  const type = opts.type ?? raw.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return reject('invalid_field', `type must be one of ${EVENT_TYPES.join(', ')}`, 'type');
  }
  const t = type as EventType;
  const userId = idOf(raw.userId);
  const anonymousId = idOf(raw.anonymousId);
  if (userId === null && anonymousId === null) {
    return reject('no_user_anon_id', 'userId or anonymousId is required', 'userId');
  }
  let event: string | null = null;
  if (t === 'track') {
    if (typeof raw.event !== 'string' || raw.event.trim() === '') {
      return reject('missing_event', 'track requires a non-empty "event" name', 'event');
    }
    if (raw.event.length > 200) return reject('invalid_field', 'event name is longer than 200 characters', 'event');
    event = raw.event;
  }
  let previousId: string | null = null;
  if (t === 'alias') {
    previousId = idOf(raw.previousId);
    if (previousId === null) return reject('invalid_field', 'alias requires "previousId"', 'previousId');
    if (userId === null) return reject('invalid_field', 'alias requires "userId"', 'userId');
  }
  if (t === 'group' && idOf(raw.groupId) === null) {
    return reject('invalid_field', 'group requires "groupId"', 'groupId');
  }
  for (const f of OBJECT_FIELDS) {
    if (raw[f] !== undefined && raw[f] !== null && !isRecord(raw[f])) {
      return reject('invalid_field', `${f} must be an object`, f);
    }
  }
  // A time that does not parse or lies outside 1970–2100 is replaced by receivedAt and kept as
  // sent in context.omni.invalidTimestamps: one bad clock must not cost the event, nor reach the
  // database as a date it cannot hold. A bad originalTimestamp or sentAt corrects nothing.
  const times: Partial<Record<(typeof TIME_FIELDS)[number], Date>> = {};
  const invalidTimes: Record<string, unknown> = {};
  for (const f of TIME_FIELDS) {
    const parsed = parseTime(raw[f]);
    if (parsed === 'invalid') invalidTimes[f] = raw[f];
    else if (parsed) times[f] = parsed;
  }
  let messageId: string;
  if (raw.messageId === undefined || raw.messageId === null || raw.messageId === '') {
    messageId = `omni-${crypto.randomUUID()}`;
  } else {
    const id = idOf(raw.messageId);
    if (id === null || id.length > 256) return reject('invalid_field', 'messageId must be a string of at most 256 characters', 'messageId');
    messageId = id;
  }

  // Clock skew: keep a client timestamp; else correct the device clock by sentAt.
  const receivedAt = opts.receivedAt;
  let timestamp: Date;
  if (times.timestamp) timestamp = times.timestamp;
  else if ('timestamp' in invalidTimes) timestamp = receivedAt;
  else if (times.originalTimestamp && times.sentAt) {
    timestamp = new Date(receivedAt.getTime() - (times.sentAt.getTime() - times.originalTimestamp.getTime()));
  } else timestamp = times.originalTimestamp ?? receivedAt;
  if (timestamp.getTime() < TIME_RANGE.from || timestamp.getTime() > TIME_RANGE.to) {
    // sentAt and originalTimestamp in range can still correct to a time out of it.
    invalidTimes.timestamp ??= timestamp.toISOString();
    timestamp = receivedAt;
  }

  const payload: Record<string, unknown> = { ...raw, type: t, messageId, timestamp: timestamp.toISOString(), receivedAt: receivedAt.toISOString() };
  delete payload.writeKey;
  // Omni's own notes on the event live under _omni (see writer.ts); a client cannot write them.
  delete payload._omni;
  for (const f of TIME_FIELDS) if (times[f] && f !== 'timestamp') payload[f] = times[f]!.toISOString();
  let context = isRecord(raw.context) ? raw.context : undefined;
  const replaced = Object.keys(invalidTimes);
  if (replaced.length > 0) {
    for (const f of replaced) if (f !== 'timestamp') payload[f] = receivedAt.toISOString();
    const omni = isRecord(context?.omni) ? context.omni : {};
    context = { ...context, omni: { ...omni, invalidTimestamps: invalidTimes } };
    payload.context = context;
    warnings.push({ code: 'timestamp_replaced', count: replaced.length, fields: replaced });
  }

  return {
    type: t,
    messageId,
    userId,
    anonymousId,
    event,
    previousId,
    timestamp,
    receivedAt,
    payload,
    traits: t === 'identify' && isRecord(raw.traits) ? raw.traits : undefined,
    context,
    warnings,
  };
}

export function isRejection(v: ValidMessage | Rejection): v is Rejection {
  return 'code' in v && !('messageId' in v);
}
