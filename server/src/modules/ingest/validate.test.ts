import { describe, expect, it } from 'vitest';
import { isRejection, LIMITS, validateMessage, type Rejection, type ValidMessage } from './validate';

const receivedAt = new Date('2024-05-01T10:00:00.000Z');

function valid(raw: unknown, opts: { type?: Parameters<typeof validateMessage>[1]['type']; byteSize?: number } = {}): ValidMessage {
  const v = validateMessage(raw, { receivedAt, ...opts });
  if (isRejection(v)) throw new Error(`expected a valid message, got ${v.code}: ${v.message}`);
  return v;
}

function rejected(raw: unknown, opts: { type?: Parameters<typeof validateMessage>[1]['type']; byteSize?: number } = {}): Rejection {
  const v = validateMessage(raw, { receivedAt, ...opts });
  if (!isRejection(v)) throw new Error(`expected a rejection, got a valid ${v.type}`);
  return v;
}

describe('validateMessage', () => {
  describe('when the message is not a JSON object', () => {
    it.each([null, 'track', 42, [{ type: 'track' }]])('rejects %j as invalid_body', (raw) => {
      expect(rejected(raw, { type: 'track' }).code).toBe('invalid_body');
    });
  });

  describe('when the message is larger than 32 KB', () => {
    it('rejects it by the size the caller measured, naming the limit', () => {
      const r = rejected({ userId: 'u1', event: 'E' }, { type: 'track', byteSize: LIMITS.eventBytes + 1 });
      expect(r.code).toBe('payload_too_large');
      expect(r.message).toContain('32 KB');
      expect(r.message).toContain(String(LIMITS.eventBytes + 1));
    });

    it('measures the serialised message when the caller did not', () => {
      const big = { userId: 'u1', event: 'E', properties: { blob: 'x'.repeat(LIMITS.eventBytes) } };
      expect(rejected(big, { type: 'track' }).code).toBe('payload_too_large');
    });

    it('accepts a message of exactly 32 KB', () => {
      expect(valid({ userId: 'u1', event: 'E' }, { type: 'track', byteSize: LIMITS.eventBytes }).type).toBe('track');
    });
  });

  describe('when the type comes from the message (batch items)', () => {
    it('uses the item type', () => {
      expect(valid({ type: 'page', anonymousId: 'a1', name: 'Home' }).type).toBe('page');
    });

    it.each([undefined, 'purchase', 7])('rejects type %j with field "type"', (type) => {
      const r = rejected({ type, userId: 'u1' });
      expect(r).toMatchObject({ code: 'invalid_field', field: 'type' });
    });

    it('lets the route type win over the item type', () => {
      expect(valid({ type: 'page', userId: 'u1', event: 'E' }, { type: 'track' }).type).toBe('track');
    });
  });

  describe('when neither userId nor anonymousId is usable', () => {
    it.each([
      {},
      { userId: '' },
      { userId: '   ', anonymousId: null },
      { userId: Number.NaN },
      { userId: { id: 1 } },
    ])('rejects %j with no_user_anon_id', (ids) => {
      expect(rejected({ ...ids, event: 'E' }, { type: 'track' }).code).toBe('no_user_anon_id');
    });
  });

  describe('when ids are numbers', () => {
    it('keeps them as decimal strings', () => {
      const v = valid({ userId: 123, anonymousId: 4.5, event: 'E', messageId: 99 }, { type: 'track' });
      expect(v).toMatchObject({ userId: '123', anonymousId: '4.5', messageId: '99' });
    });
  });

  describe('when a track call has no usable event name', () => {
    it.each([undefined, '', '  ', 12])('rejects event %j with missing_event', (event) => {
      expect(rejected({ userId: 'u1', event }, { type: 'track' })).toMatchObject({ code: 'missing_event', field: 'event' });
    });

    it('rejects an event name longer than 200 characters', () => {
      expect(rejected({ userId: 'u1', event: 'e'.repeat(201) }, { type: 'track' })).toMatchObject({ code: 'invalid_field', field: 'event' });
    });

    it('ignores event on other types', () => {
      expect(valid({ userId: 'u1' }, { type: 'page' }).event).toBeNull();
    });
  });

  describe('when an alias call is incomplete', () => {
    it('requires previousId', () => {
      expect(rejected({ userId: 'u1' }, { type: 'alias' })).toMatchObject({ code: 'invalid_field', field: 'previousId' });
    });

    it('requires userId', () => {
      expect(rejected({ anonymousId: 'a1', previousId: 'old' }, { type: 'alias' })).toMatchObject({ code: 'invalid_field', field: 'userId' });
    });

    it('keeps previousId when complete', () => {
      expect(valid({ userId: 'u1', previousId: 7 }, { type: 'alias' }).previousId).toBe('7');
    });
  });

  describe('when a group call has no groupId', () => {
    it('rejects it', () => {
      expect(rejected({ userId: 'u1' }, { type: 'group' })).toMatchObject({ code: 'invalid_field', field: 'groupId' });
    });
  });

  describe('when an object field is not an object', () => {
    it.each(['properties', 'traits', 'context', 'integrations'])('rejects a non-object %s', (field) => {
      expect(rejected({ userId: 'u1', event: 'E', [field]: ['x'] }, { type: 'track' })).toMatchObject({ code: 'invalid_field', field });
    });

    it('accepts null for them', () => {
      expect(valid({ userId: 'u1', event: 'E', properties: null, context: null }, { type: 'track' }).context).toBeUndefined();
    });
  });

  describe('when a time field is not a date', () => {
    it.each(['timestamp', 'originalTimestamp', 'sentAt'])('rejects %s naming the field', (field) => {
      expect(rejected({ userId: 'u1', event: 'E', [field]: 'yesterday' }, { type: 'track' })).toMatchObject({ code: 'invalid_field', field });
    });

    it('rejects a time that is an object', () => {
      expect(rejected({ userId: 'u1', event: 'E', timestamp: {} }, { type: 'track' })).toMatchObject({ field: 'timestamp' });
    });
  });

  describe('when messageId is absent or bad', () => {
    it('generates a unique one when absent', () => {
      const a = valid({ userId: 'u1', event: 'E' }, { type: 'track' });
      const b = valid({ userId: 'u1', event: 'E', messageId: '' }, { type: 'track' });
      expect(a.messageId).toMatch(/^omni-[0-9a-f-]{36}$/);
      expect(b.messageId).toMatch(/^omni-/);
      expect(a.messageId).not.toBe(b.messageId);
    });

    it('rejects one longer than 256 characters', () => {
      expect(rejected({ userId: 'u1', event: 'E', messageId: 'm'.repeat(257) }, { type: 'track' })).toMatchObject({ code: 'invalid_field', field: 'messageId' });
    });

    it('rejects one that is not a string or number', () => {
      expect(rejected({ userId: 'u1', event: 'E', messageId: { id: 1 } }, { type: 'track' }).field).toBe('messageId');
    });
  });

  describe('when choosing the event time', () => {
    it('keeps a client timestamp exactly', () => {
      const v = valid({ userId: 'u1', event: 'E', timestamp: '2024-04-30T08:00:00.123+07:00', sentAt: '2030-01-01T00:00:00Z' }, { type: 'track' });
      expect(v.timestamp.toISOString()).toBe('2024-04-30T01:00:00.123Z');
    });

    it('corrects the device clock by sentAt: receivedAt − (sentAt − originalTimestamp)', () => {
      // The device clock is one hour fast; the call happened 90 s before it was sent.
      const v = valid(
        { userId: 'u1', event: 'E', originalTimestamp: '2024-05-01T10:58:30.000Z', sentAt: '2024-05-01T11:00:00.000Z' },
        { type: 'track' },
      );
      expect(v.timestamp.toISOString()).toBe('2024-05-01T09:58:30.000Z');
    });

    it('uses originalTimestamp as is when there is no sentAt', () => {
      const v = valid({ userId: 'u1', event: 'E', originalTimestamp: '2024-04-01T00:00:00Z' }, { type: 'track' });
      expect(v.timestamp.toISOString()).toBe('2024-04-01T00:00:00.000Z');
    });

    it('uses receivedAt when the client sent no time', () => {
      const v = valid({ userId: 'u1', event: 'E', sentAt: '2024-04-01T00:00:00Z' }, { type: 'track' });
      expect(v.timestamp).toEqual(receivedAt);
      expect(v.receivedAt).toEqual(receivedAt);
    });
  });

  describe('the stored payload', () => {
    it('keeps the client fields, normalises times, and drops the write key', () => {
      const v = valid(
        {
          userId: 'u1',
          event: 'Order Completed',
          properties: { total: 100 },
          originalTimestamp: '2024-05-01T17:00:00+07:00',
          writeKey: 'wk_secret',
          messageId: 'm-1',
        },
        { type: 'track' },
      );
      expect(v.payload).toEqual({
        type: 'track',
        userId: 'u1',
        event: 'Order Completed',
        properties: { total: 100 },
        originalTimestamp: '2024-05-01T10:00:00.000Z',
        messageId: 'm-1',
        timestamp: '2024-05-01T10:00:00.000Z',
        receivedAt: receivedAt.toISOString(),
      });
    });

    it('exposes traits for identify only, and context for every type', () => {
      const ctx = { ip: '1.2.3.4' };
      expect(valid({ userId: 'u1', traits: { email: 'a@b.vn' }, context: ctx }, { type: 'identify' })).toMatchObject({
        traits: { email: 'a@b.vn' },
        context: ctx,
      });
      expect(valid({ userId: 'u1', groupId: 'g1', traits: { name: 'Acme' }, context: ctx }, { type: 'group' })).toMatchObject({
        traits: undefined,
        context: ctx,
      });
    });
  });
});

describe('isRejection', () => {
  it('tells a rejection from a valid message', () => {
    expect(isRejection(validateMessage({ userId: 'u1' }, { type: 'track', receivedAt }))).toBe(true);
    expect(isRejection(validateMessage({ userId: 'u1', event: 'E' }, { type: 'track', receivedAt }))).toBe(false);
  });
});
