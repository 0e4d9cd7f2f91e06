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

  // Once a 400 (which lost the event); now the time is replaced and the event kept.
  describe('when a time field does not parse', () => {
    it.each(['timestamp', 'originalTimestamp', 'sentAt'])('replaces %s by receivedAt and keeps the original in context.omni.invalidTimestamps', (field) => {
      const v = valid({ userId: 'u1', event: 'E', context: { ip: '1.2.3.4' }, [field]: 'yesterday' }, { type: 'track' });
      expect(v.timestamp).toEqual(receivedAt);
      expect(v.payload[field]).toBe(receivedAt.toISOString());
      expect(v.context).toEqual({ ip: '1.2.3.4', omni: { invalidTimestamps: { [field]: 'yesterday' } } });
      expect(v.payload.context).toEqual(v.context);
      expect(v.warnings).toEqual([{ code: 'timestamp_replaced', count: 1, fields: [field] }]);
    });

    it('replaces a time that is an object, keeping it as sent', () => {
      const v = valid({ userId: 'u1', event: 'E', timestamp: { at: 'noon' } }, { type: 'track' });
      expect(v.timestamp).toEqual(receivedAt);
      expect(v.context).toEqual({ omni: { invalidTimestamps: { timestamp: { at: 'noon' } } } });
    });
  });

  describe('when a time lies outside 1970–2100', () => {
    it.each([
      ['timestamp', '-100000-01-01T00:00:00Z'],
      ['timestamp', '+200000-01-01T00:00:00Z'],
      ['timestamp', '1969-12-31T23:59:59.999Z'],
      ['timestamp', '2101-01-01T00:00:00Z'],
      ['originalTimestamp', '0001-01-01T00:00:00Z'],
      ['sentAt', 8.64e15],
    ])('replaces %s %j by receivedAt', (field, value) => {
      const v = valid({ userId: 'u1', event: 'E', [field]: value }, { type: 'track' });
      expect(v.timestamp).toEqual(receivedAt);
      expect(v.payload).toMatchObject({ timestamp: receivedAt.toISOString(), [field]: receivedAt.toISOString() });
      expect(v.context).toEqual({ omni: { invalidTimestamps: { [field]: value } } });
    });

    it('keeps the bounds themselves', () => {
      expect(valid({ userId: 'u1', event: 'E', timestamp: '1970-01-01T00:00:00Z' }, { type: 'track' }).timestamp.toISOString()).toBe('1970-01-01T00:00:00.000Z');
      expect(valid({ userId: 'u1', event: 'E', timestamp: '2100-12-31T23:59:59Z' }, { type: 'track' }).warnings).toEqual([]);
    });

    it('does not correct by a bad sentAt: originalTimestamp is kept as is', () => {
      const v = valid({ userId: 'u1', event: 'E', originalTimestamp: '2024-04-01T00:00:00Z', sentAt: '9999-01-01T00:00:00Z' }, { type: 'track' });
      expect(v.timestamp.toISOString()).toBe('2024-04-01T00:00:00.000Z');
      expect(v.payload.sentAt).toBe(receivedAt.toISOString());
    });

    it('replaces a corrected time that falls out of range', () => {
      const v = valid({ userId: 'u1', event: 'E', originalTimestamp: '1971-01-01T00:00:00Z', sentAt: '2099-01-01T00:00:00Z' }, { type: 'track' });
      expect(v.timestamp).toEqual(receivedAt);
      expect(v.warnings).toEqual([{ code: 'timestamp_replaced', count: 1, fields: ['timestamp'] }]);
    });
  });

  describe('when strings hold NUL or lone surrogates', () => {
    it('removes NUL and replaces lone surrogates with U+FFFD in values and keys at any depth, noting where', () => {
      const v = valid(
        { userId: 'u\u00001', event: 'E\u0000', properties: { ['k\u0000ey']: 'a\ud800b', list: [{ deep: ['x\u0000\udfff'] }], ok: '😀' } },
        { type: 'track' },
      );
      expect(v.userId).toBe('u1');
      expect(v.event).toBe('E');
      expect(v.payload.properties).toEqual({ key: 'a\ufffdb', list: [{ deep: ['x\ufffd'] }], ok: '😀' });
      expect(v.warnings).toEqual([
        { code: 'nul_removed', count: 4, fields: ['userId', 'event', 'properties.key', 'properties.list[0].deep[0]'] },
        { code: 'lone_surrogate_replaced', count: 2, fields: ['properties.key', 'properties.list[0].deep[0]'] },
      ]);
    });

    it('treats an id that was only NUL as missing', () => {
      expect(rejected({ userId: '\u0000', event: 'E' }, { type: 'track' }).code).toBe('no_user_anon_id');
    });

    it('drops a client-sent _omni: only Omni writes its notes', () => {
      expect(valid({ userId: 'u1', event: 'E', _omni: { warnings: ['fake'] } }, { type: 'track' }).payload).not.toHaveProperty('_omni');
    });
  });

  describe('when the message is nested deeper than 64 levels', () => {
    const nested = (levels: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < levels; i++) v = { a: v };
      return v;
    };

    it('rejects it as invalid_field naming where', () => {
      // The message is level 1, properties (the outer of 64 objects) level 2: the innermost is 65.
      const r = rejected({ userId: 'u1', event: 'E', properties: nested(64) }, { type: 'track' });
      expect(r.code).toBe('invalid_field');
      expect(r.field).toBe(`properties${'.a'.repeat(63)}`);
      expect(r.message).toContain('64 levels');
    });

    it('accepts 64 levels', () => {
      expect(valid({ userId: 'u1', event: 'E', properties: nested(63) }, { type: 'track' }).warnings).toEqual([]);
    });

    it('rejects 100,000 levels of arrays without overflowing the stack', () => {
      const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
      expect(rejected({ userId: 'u1', event: 'E', properties: { deep } }, { type: 'track' }).code).toBe('invalid_field');
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
