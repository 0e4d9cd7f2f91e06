import { Type } from 'typebox';
import { DateTime, JsonObject, Nullable } from '../../platform/schema';

const common = {
  userId: Type.Optional(Type.Union([Type.String(), Type.Number()], { description: 'Your id for the user; userId or anonymousId is required.' })),
  anonymousId: Type.Optional(Type.Union([Type.String(), Type.Number()], { description: 'Device/browser id before the user is known.' })),
  messageId: Type.Optional(Type.String({ description: 'Unique per event; repeats within the workspace are stored once.' })),
  timestamp: Type.Optional(Type.String({ format: 'date-time', description: 'When it happened; kept as given.' })),
  originalTimestamp: Type.Optional(Type.String({ format: 'date-time', description: 'Device time of the call; corrected by sentAt.' })),
  sentAt: Type.Optional(Type.String({ format: 'date-time', description: 'Device time of sending.' })),
  context: Type.Optional(JsonObject),
  integrations: Type.Optional(JsonObject),
  writeKey: Type.Optional(Type.String({ description: 'Alternative to HTTP Basic auth.' })),
};

export const MessageSchemas = {
  identify: Type.Object({ ...common, traits: Type.Optional(JsonObject) }),
  track: Type.Object({ ...common, event: Type.String({ minLength: 1 }), properties: Type.Optional(JsonObject) }),
  page: Type.Object({ ...common, name: Type.Optional(Type.String()), category: Type.Optional(Type.String()), properties: Type.Optional(JsonObject) }),
  screen: Type.Object({ ...common, name: Type.Optional(Type.String()), properties: Type.Optional(JsonObject) }),
  group: Type.Object({ ...common, groupId: Type.Union([Type.String(), Type.Number()]), traits: Type.Optional(JsonObject) }),
  alias: Type.Object({ ...common, previousId: Type.Union([Type.String(), Type.Number()]) }),
};

export const BatchSchema = Type.Object({
  batch: Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }), { maxItems: 2500 }),
  context: Type.Optional(JsonObject),
  integrations: Type.Optional(JsonObject),
  writeKey: Type.Optional(Type.String()),
});

export const RejectionSchema = Type.Object({
  index: Type.Optional(Type.Integer()),
  code: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

export const IngestResponse = Type.Object({
  success: Type.Boolean(),
  accepted: Type.Integer({ description: 'Events committed by this call.' }),
  duplicates: Type.Integer({ description: 'Events whose messageId was already stored.' }),
  suppressed: Type.Integer({ description: "Events dropped because they identify an erased person." }),
  rejected: Type.Array(RejectionSchema),
});

export const TimelineEventSchema = Type.Object({
  id: Type.String(),
  messageId: Type.String(),
  profileId: Nullable(Type.String()),
  type: Type.String(),
  event: Nullable(Type.String()),
  name: Nullable(Type.String()),
  channel: Type.String(),
  sourceId: Nullable(Type.String({ description: "The tracking source; null for events Omni recorded itself (orders, carts)." })),
  timestamp: DateTime,
  receivedAt: DateTime,
  properties: JsonObject,
  traits: JsonObject,
  context: JsonObject,
  notes: Type.Object({
    warnings: Type.Array(
      Type.Object({
        code: Type.String({ description: 'nul_removed, lone_surrogate_replaced (with U+FFFD) or timestamp_replaced (by receivedAt; the times as sent are in context.omni.invalidTimestamps).' }),
        count: Type.Integer(),
        fields: Type.Array(Type.String(), { description: 'Where: paths such as properties.name, or the time fields.' }),
      }),
      { description: 'What Omni changed in the event to store it.' },
    ),
    droppedIdentifiers: Type.Array(Type.Object({ type: Type.String(), value: Type.String() }), {
      description: "Identifiers identity resolution left out under the workspace's rules (limits, merge protection).",
    }),
  }),
});

export const TimelineQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  channel: Type.Optional(Type.String({ maxLength: 50 })),
  type: Type.Optional(Type.String({ maxLength: 20 })),
  event: Type.Optional(Type.String({ maxLength: 200 })),
});

export const TimelineResponse = Type.Object({
  data: Type.Array(TimelineEventSchema),
  nextCursor: Nullable(Type.String()),
});
