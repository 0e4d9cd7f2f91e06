/**
 * `GET /api/v1/profiles`: the customer list. Search (name, email, phone; accents ignored) and
 * the channel filter are the profiles module's; "has orders" and each customer's order count and
 * total spent are the orders module's commerce facts. Both are asked through their index.ts, so
 * this flow owns the combined search.
 *
 * With `hasOrders`, profiles are read in keyset order and kept when their facts match; each read
 * asks only for as many profiles as the page still lacks, so the cursor is always the profiles
 * module's own (after the last profile looked at) and pages never skip or repeat anyone. A scan
 * budget bounds one request: a page may then be short (or empty) with a `nextCursor` to go on.
 */
import type { CountryCode } from 'libphonenumber-js';
import { Type, type Static } from 'typebox';
import type { Executor } from '../db/client';
import type { AdminGuard, App, AppContext } from '../platform/context';
import { adminWorkspace } from '../platform/context';
import { ErrorResponse, Nullable } from '../platform/schema';
import { countEventsByProfileAndChannel } from '../modules/ingest';
import { getCommerceFactsMany } from '../modules/orders';
import { ProfileSchema, searchProfiles, withEventCounts, type Profile, type ProfileView } from '../modules/profiles';
import { CHANNEL_TYPES, getWorkspace } from '../modules/workspaces';

/** Most profiles one request looks at while filtering on orders. */
export const ORDER_FILTER_SCAN_BUDGET = 1000;

const ChannelFilter = Type.Unsafe<string>({
  type: 'string',
  enum: [...CHANNEL_TYPES],
  description: 'Only customers who used this channel (a key of their `channels`: web, app, pos, email, zalo …).',
});

export const CustomerSearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Name, email or phone; accents are ignored ("nguyen" finds "Nguyễn").' })),
  channel: Type.Optional(ChannelFilter),
  ids: Type.Optional(
    Type.String({
      maxLength: 3000,
      pattern: '^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+){0,99}$',
      description: 'Only these profiles, comma-separated (at most 100; e.g. the customers of a page of orders). A merged-away id finds the profile it was merged into (listed in its mergedProfileIds).',
    }),
  ),
  hasOrders: Type.Optional(
    Type.Boolean({ description: 'true: only customers with at least one order (cancelled and returned ones do not count); false: only those without.' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'nextCursor of the previous page (with the same filters).' })),
});
export type CustomerSearchInput = Static<typeof CustomerSearchQuery>;

const CommerceSummarySchema = Type.Object(
  {
    orderCount: Type.Integer({ description: 'Orders on every channel, cancelled and returned ones left out.' }),
    totalSpent: Type.Integer({ description: 'Minor units of `currency`.' }),
    currency: Type.String(),
    lastOrderAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { description: "The customer's commerce facts (from the orders module)." },
);

export const CustomerSearchResponse = Type.Object({
  data: Type.Array(Type.Object({ ...ProfileSchema.properties, commerce: CommerceSummarySchema })),
  nextCursor: Nullable(Type.String({ description: 'Present while there may be more; a filtered page can be shorter than `limit`.' })),
});

export interface CommerceSummary {
  orderCount: number;
  totalSpent: number;
  currency: string;
  lastOrderAt: string | null;
}

export type CustomerRow = ProfileView & { commerce: CommerceSummary };

async function commerceOf(ex: Executor, workspaceId: string, profiles: Profile[], currency: string): Promise<Map<string, CommerceSummary>> {
  const facts = await getCommerceFactsMany(ex, workspaceId, profiles.map((p) => p.id), currency);
  return new Map([...facts].map(([id, f]) => [id, { orderCount: f.orderCount, totalSpent: f.totalSpent, currency: f.currency, lastOrderAt: f.lastOrderAt }]));
}

export async function searchCustomers(
  ex: Executor,
  opts: Omit<CustomerSearchInput, 'limit'> & { workspaceId: string; limit: number; defaultCountry: CountryCode; currency: string },
): Promise<{ data: CustomerRow[]; nextCursor: string | null }> {
  const { workspaceId, limit, currency } = opts;
  const base = { workspaceId, q: opts.q, channel: opts.channel, ids: opts.ids?.split(','), defaultCountry: opts.defaultCountry };
  const kept: Profile[] = [];
  const facts = new Map<string, CommerceSummary>();
  let cursor = opts.cursor;
  let nextCursor: string | null = null;
  let scanned = 0;
  for (;;) {
    const page = await searchProfiles(ex, { ...base, limit: limit - kept.length, cursor });
    const pageFacts = await commerceOf(ex, workspaceId, page.data, currency);
    for (const p of page.data) {
      const f = pageFacts.get(p.id)!;
      if (opts.hasOrders === undefined || opts.hasOrders === f.orderCount > 0) {
        kept.push(p);
        facts.set(p.id, f);
      }
    }
    scanned += page.data.length;
    nextCursor = page.nextCursor;
    if (!nextCursor || kept.length >= limit || scanned >= ORDER_FILTER_SCAN_BUDGET) break;
    cursor = nextCursor;
  }
  const views = await withEventCounts(ex, workspaceId, kept, countEventsByProfileAndChannel);
  return { data: views.map((v) => ({ ...v, commerce: facts.get(v.id)! })), nextCursor };
}

export function profileSearchRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    const orm = ctx.db.orm;

    app.get('/api/v1/profiles', {
      config: { permission: 'profiles.read' },
      schema: {
        tags: ['profiles'],
        summary: 'Search customers by name, email or phone (accent-insensitive); filter by channel used and whether they ordered',
        querystring: CustomerSearchQuery,
        response: { 200: CustomerSearchResponse, 400: ErrorResponse },
      },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      const ws = await getWorkspace(orm, workspaceId);
      return searchCustomers(orm, {
        ...req.query,
        workspaceId,
        limit: req.query.limit ?? 50,
        defaultCountry: ws.defaultCountry as CountryCode,
        currency: ws.currency,
      });
    });
  };
}
