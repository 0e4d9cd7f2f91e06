import { Type, type Static } from 'typebox';
import { DateTime, NullableDateTime } from '../../platform/schema';

export const CHANNEL_TYPES = [
  'web',
  'app',
  'pos',
  'server',
  'email',
  'sms',
  'chat',
  'chatbot',
  'marketplace',
  'social',
  'zalo',
  'messenger',
  'phone',
  'salesperson',
  'other',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const SOURCE_TRUST = ['client', 'server'] as const;
export type SourceTrust = (typeof SOURCE_TRUST)[number];
export const SourceTrustSchema = Type.Unsafe<SourceTrust>({
  type: 'string',
  enum: [...SOURCE_TRUST],
  description:
    'client (default): a browser or app write key, public by nature — traits it sends are self-reported and never unlock promotions or segments; server: a backend, POS or import the shop controls — its traits are trusted.',
});

/** An enum of the channel types, typed as ChannelType (a mapped Type.Union would type as never). */
export const ChannelTypeSchema = Type.Unsafe<ChannelType>({ type: 'string', enum: [...CHANNEL_TYPES], description: 'Where events from this source come from.' });

export const IdentityRulesSchema = Type.Object(
  {
    /** Identifier types in priority order, highest first; types not listed come after, in name order. */
    priority: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,64}$' }), { maxItems: 50 })),
    /** Max values per identifier type on one profile. */
    limits: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9_]{1,64}$' }), Type.Integer({ minimum: 1, maximum: 1000 }))),
    /** Limit for types not in `limits`. */
    defaultLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type IdentityRulesInput = Static<typeof IdentityRulesSchema>;

export const CommerceSettingsSchema = Type.Object(
  {
    /** When a cart's units are held for it: when checkout starts (default) or as soon as they are added. */
    reserveOn: Type.Union([Type.Literal('checkout'), Type.Literal('add_to_cart')], {
      description: 'When stock is held for a cart: at checkout (default) or at add-to-cart.',
    }),
    /** How long held units stay held without activity before going back on the shelf. */
    reservationTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600, description: 'Hold time for reserved units, seconds (default 900).' }),
  },
  { additionalProperties: false },
);
export type CommerceSettings = Static<typeof CommerceSettingsSchema>;
export const DEFAULT_COMMERCE_SETTINGS: CommerceSettings = { reserveOn: 'checkout', reservationTtlSeconds: 900 };

export const WorkspaceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  defaultCountry: Type.String(),
  timeZone: Type.String(),
  currency: Type.String(),
  identityRules: IdentityRulesSchema,
  commerce: CommerceSettingsSchema,
  createdAt: DateTime,
});

export const UpdateWorkspaceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    identityRules: Type.Optional(IdentityRulesSchema),
    commerce: Type.Optional(Type.Partial(CommerceSettingsSchema, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type UpdateWorkspaceInput = Static<typeof UpdateWorkspaceBody>;

export const SourceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  channel: Type.String(),
  writeKeyPrefix: Type.String({ description: 'The first characters of the write key.' }),
  rateLimit: Type.Union([Type.Integer(), Type.Null()]),
  trust: SourceTrustSchema,
  createdAt: DateTime,
  revokedAt: NullableDateTime,
});

export const CreateSourceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    channel: ChannelTypeSchema,
    rateLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Events per second before 429.' })),
    trust: Type.Optional(SourceTrustSchema),
  },
  { additionalProperties: false },
);

export const UpdateSourceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    trust: Type.Optional(SourceTrustSchema),
    rateLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()], { description: 'Events per second; null: the server default.' })),
  },
  { additionalProperties: false },
);

export const CreatedSourceSchema = Type.Object({
  source: SourceSchema,
  writeKey: Type.String({ description: 'Shown once; only its hash is stored.' }),
});

export const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tokenPrefix: Type.String(),
  createdAt: DateTime,
  lastUsedAt: NullableDateTime,
  revokedAt: NullableDateTime,
});

export const CreateTokenBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const CreatedTokenSchema = Type.Object({
  token: TokenSchema,
  secret: Type.String({ description: 'Shown once; only its hash is stored.' }),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
