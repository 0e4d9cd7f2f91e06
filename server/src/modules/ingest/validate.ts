/**
 * Validation and normalisation of Segment messages (identify, track, page, screen, group, alias).
 * Expected failures are values (a Rejection), never exceptions: a batch reports each bad item
 * and keeps the good ones.
 */
import crypto from 'node:crypto';

export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const LIMITS = {
  eventBytes: 32 * 1024,
  batchBytes: 500 * 1024,
  batchEvents: 2500,
} as const;

export interface Rejection {
  index?: number;
  code: 'payload_too_large' | 'no_user_anon_id' | 'missing_event' | 'invalid_field' | 'invalid_body';
  message: string;
  field?: string;
}

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

function parseTime(v: unknown): Date | null | 'invalid' {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' && typeof v !== 'number') return 'invalid';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? 'invalid' : d;
}

function reject(code: Rejection['code'], message: string, field?: string): Rejection {
  return field === undefined ? { code, message } : { code, message, field };
}

/**
 * Validate one message. `type` comes from the route for single calls, from the item in a batch.
 * `byteSize` is the item's serialised size when the caller knows it.
 */
export function validateMessage(
  raw: unknown,
  opts: { type?: EventType; receivedAt: Date; byteSize?: number },
): ValidMessage | Rejection {
  if (!isRecord(raw)) return reject('invalid_body', 'each event must be a JSON object');
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
  const times: Partial<Record<(typeof TIME_FIELDS)[number], Date>> = {};
  for (const f of TIME_FIELDS) {
    const parsed = parseTime(raw[f]);
    if (parsed === 'invalid') return reject('invalid_field', `${f} is not an ISO 8601 date`, f);
    if (parsed) times[f] = parsed;
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
  else if (times.originalTimestamp && times.sentAt) {
    timestamp = new Date(receivedAt.getTime() - (times.sentAt.getTime() - times.originalTimestamp.getTime()));
  } else timestamp = times.originalTimestamp ?? receivedAt;

  const payload: Record<string, unknown> = { ...raw, type: t, messageId, timestamp: timestamp.toISOString(), receivedAt: receivedAt.toISOString() };
  delete payload.writeKey;
  for (const f of TIME_FIELDS) if (times[f] && f !== 'timestamp') payload[f] = times[f]!.toISOString();

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
    context: isRecord(raw.context) ? raw.context : undefined,
  };
}

export function isRejection(v: ValidMessage | Rejection): v is Rejection {
  return 'code' in v && !('messageId' in v);
}
