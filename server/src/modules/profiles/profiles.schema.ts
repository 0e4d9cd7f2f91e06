import { Type } from 'typebox';
import { JsonObject } from '../../platform/schema';

export const IdentifierSchema = Type.Object({ type: Type.String(), value: Type.String() });

export const ProfileSchema = Type.Object({
  id: Type.String(),
  traits: JsonObject,
  traitSources: Type.Record(Type.String(), Type.Union([Type.Literal('trusted'), Type.Literal('self_reported')]), {
    description:
      'Per trait: trusted (set by a source the shop controls: a server source, an import, the admin API) or self_reported (only a browser or app says so; promotions and segments do not count it).',
  }),
  identifiers: Type.Array(IdentifierSchema),
  channels: Type.Record(Type.String(), Type.Object({ first: Type.String(), last: Type.String(), count: Type.Integer() }), {
    description: 'Channels this customer used: first and last event time (last to the minute) and event count per channel.',
  }),
  eventCount: Type.Integer(),
  firstSeenAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time', description: 'Time of the latest event, to the minute.' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  mergedProfileIds: Type.Array(Type.String(), { description: 'Profiles merged into this one; their ids still resolve here.' }),
});

export const ProfileParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const LookupQuery = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 64, description: 'Identifier type: user_id, email, phone, anonymous_id, zalo_id …' }),
  value: Type.String({ minLength: 1, maxLength: 512 }),
});

export const MergeSchema = Type.Object({
  id: Type.String(),
  fromProfileId: Type.String(),
  intoProfileId: Type.String(),
  reason: Type.Object({ identifiers: Type.Array(IdentifierSchema), messageId: Type.String() }),
  mergedAt: Type.String({ format: 'date-time' }),
});
