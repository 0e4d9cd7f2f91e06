import { pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/**
 * Customer tokens: minted by the merchant's backend through the admin API for a signed-in
 * shopper, so a browser or app can reach that customer's cart and nothing else. Stored hashed.
 */
export const customerTokens = pgTable(
  'customer_tokens',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    profileId: text('profile_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex('customer_tokens_hash').on(t.tokenHash)],
);
