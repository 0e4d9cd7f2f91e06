/**
 * The cart over HTTP, for every channel:
 *  - the admin API, `/api/v1/profiles/{id}/cart…` (Bearer admin token): the support agent, POS,
 *    the chatbot or the merchant's backend, naming the channel that acts;
 *  - the store API, `/store/v1/cart…` (write key + the shopper's customer token or anonymous
 *    id): browsers and apps, on the channel their source sells on, reaching only their own cart.
 * Both have the same shape: read, live stream (SSE), add/set/remove lines, checkout steps, and
 * place the order. Writes carry the cart `version` they were made against.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { AdminGuard, App, AppContext } from '../platform/context';
import { adminActor, adminWorkspace } from '../platform/context';
import { AppError } from '../platform/errors';
import type { Permission } from '../platform/permissions';
import { ErrorResponse, Nullable } from '../platform/schema';
import { newId } from '../platform/ids';
import { openEventStream } from '../platform/sse';
import { StreamLimits } from '../platform/stream-limits';
import { AttemptLimits } from '../platform/attempt-limits';
import { getChannel, listProducts, priceFor, type SalesChannel } from '../modules/catalog';
import {
  CartHub,
  cartSchemas as S,
  changeCart,
  CUSTOMER_WRITER,
  deviceWriter,
  emptyCart,
  getCart,
  guestMayReachCart,
  recordCartViewed,
  STAFF_WRITER,
  type Cart,
  type CartOp,
} from '../modules/carts';
import { identifyCustomer, type IngestWriter } from '../modules/ingest';
import { OrderSchema } from '../modules/orders';
import { getProfile } from '../modules/profiles';
import { authenticateShopper, authenticateSource, mintCustomerToken, revokeCustomerToken, shopperKey, type CustomerToken, type Shopper } from '../modules/storefront';
import { availableForChannel, getLevels } from '../modules/inventory';
import { CHANNEL_TYPES, getWorkspace, type ChannelType } from '../modules/workspaces';
import { checkoutCart } from './checkout';

const StoreProductsSchema = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      description: Type.String(),
      categoryIds: Type.Array(Type.String()),
      variants: Type.Array(
        Type.Object({ sku: Type.String(), title: Type.String(), options: Type.Record(Type.String(), Type.String()), price: Type.Integer(), currency: Type.String(), available: Type.Integer() }),
      ),
    }),
  ),
  nextCursor: Nullable(Type.String()),
});

/** Who acts on which customer's cart, through which channel. */
interface Target {
  workspaceId: string;
  profileId: string;
  /** Absent only on admin reads without channelId: priced for the channel that changed it last. */
  channel?: SalesChannel;
  actor: string;
  /** Recorded on the cart: the guest's device, `customer` or `staff`. */
  writer: string;
}

/** A guest who has written nothing yet: no profile, and a stream waits under the device. */
interface NoProfileYet {
  workspaceId: string;
  channel: SalesChannel;
  device: string;
  currency: string;
}

/** read and stream write nothing (a guest without a profile gets an empty cart); write creates a guest's profile and needs a channel. */
type Mode = 'read' | 'stream' | 'write';

function withChannel(t: Target): Target & { channel: SalesChannel } {
  if (!t.channel) throw new AppError('validation_failed', 'channelId: required: the sales channel making the change', { field: 'channelId' });
  return { ...t, channel: t.channel };
}

type CheckoutBody = Static<typeof S.CheckoutBody> & { fee?: number };

function checkoutOp(body: CheckoutBody): CartOp {
  const need = (field: 'method' | 'provider' | 'reason', value: string | undefined): string => {
    if (value === undefined) throw new AppError('validation_failed', `body.${field}: required for step ${body.step}`, { field });
    return value;
  };
  switch (body.step) {
    case 'started':
    case 'cancelled':
      return { kind: 'checkout', step: body.step };
    case 'shipping':
      return { kind: 'checkout', step: 'shipping', method: need('method', body.method), ...(body.fee !== undefined ? { fee: body.fee } : {}), ...(body.address ? { address: body.address } : {}) };
    case 'payment':
      return { kind: 'checkout', step: 'payment', provider: need('provider', body.provider), method: need('method', body.method) };
    case 'payment_failed':
      return { kind: 'checkout', step: 'payment_failed', provider: need('provider', body.provider), reason: need('reason', body.reason), ...(body.code ? { code: body.code } : {}) };
  }
}

function idempotencyKeyOf(request: FastifyRequest, body: { idempotencyKey?: string }): string {
  const header = request.headers['idempotency-key'];
  const key = body.idempotencyKey ?? (typeof header === 'string' && header ? header : undefined);
  if (!key) throw new AppError('validation_failed', 'body.idempotencyKey: required (or send the Idempotency-Key header) so a retry cannot order twice', { field: 'idempotencyKey' });
  if (key.length > 200) throw new AppError('validation_failed', 'Idempotency-Key: at most 200 characters', { field: 'idempotencyKey' });
  return key;
}

/**
 * Serve the cart as Server-Sent Events: `event: cart` now and after every change, anywhere. A
 * guest's stream ends with `event: refused` (code customer_token_required) once someone else
 * writes to the cart: from then on only a signed-in customer follows it.
 */
function streamCart(
  hub: CartHub,
  request: FastifyRequest,
  reply: FastifyReply,
  target: { workspaceId: string; profileId: string | null; device?: string; channel?: SalesChannel },
  initial: Cart,
  opts: { headers: Record<string, string>; onClose?: () => void },
): void {
  let unsubscribe = (): void => {};
  const stream = openEventStream(request, reply, {
    headers: opts.headers,
    onClose: () => {
      unsubscribe();
      opts.onClose?.();
    },
  });
  const send = (cart: Cart) => stream.send('cart', cart, `${cart.id ?? 'none'}:${cart.version}`);
  send(initial);
  const refuse = () => {
    stream.send('refused', { error: { code: 'customer_token_required', message: SIGN_IN_TO_SEE_CART } });
    stream.end();
  };
  unsubscribe = hub.subscribe({ ...target, send, refuse, close: () => stream.end() }, initial);
}

const SIGN_IN_TO_SEE_CART = 'This cart holds what another device or a person added: sign in (a customer token from the shop) to see it';

/** Routes shared by both APIs; `resolve` authenticates and says whose cart, on which channel. */
function cartRoutes(
  app: App,
  ctx: AppContext,
  hub: CartHub,
  opts: {
    prefix: string;
    tags: string[];
    security: Record<string, string[]>[];
    /** Whose cart (creating a guest's profile for a write); `channelId` from the admin body/query. */
    resolve: (request: FastifyRequest, mode: Mode, channelId: string | undefined) => Promise<Target | NoProfileYet>;
    /** Extra response headers for the SSE stream (CORS for the store API). */
    streamHeaders: (request: FastifyRequest) => Record<string, string>;
    /** Who is guessing codes (the store API: the shopper and the address); absent: not limited (staff). */
    codeGuesser?: (request: FastifyRequest) => { shopper: string; address: string };
    /** Admission of a new stream (caps); returns its release, or throws 429. */
    admitStream?: (request: FastifyRequest, t: Target | NoProfileYet) => () => void;
    admin: boolean;
  },
) {
  const { prefix } = opts;
  const db = ctx.db;
  // Unique codes are short enough to guess at scale: unknown codes are counted per shopper and,
  // since anonymous ids cost nothing, per address (higher: many shoppers share a carrier's address).
  const codeGuessesByShopper = new AttemptLimits({ max: 10, windowMs: 10 * 60_000, what: 'unknown promotion codes' });
  const codeGuessesByAddress = new AttemptLimits({ max: 100, windowMs: 10 * 60_000, what: 'unknown promotion codes from this address' });
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
  const schema = (summary: string, extra: Record<string, unknown>) => ({ tags: opts.tags, summary, security: opts.security, ...extra });
  const params = opts.admin ? { params: S.ProfileParams } : {};
  const skuParams = { params: opts.admin ? S.AdminSkuParams : S.SkuParams };
  /** Admin routes declare their permission; the store API's gate is the shopper's credential. */
  const needs = (permission: Permission) => (opts.admin ? { config: { permission } } : {});

  async function change(request: FastifyRequest, channelId: string | undefined, op: CartOp, version: number | undefined): Promise<Cart> {
    const t = await opts.resolve(request, 'write', channelId);
    if (!('profileId' in t)) throw new Error('a write resolved no customer');
    const settings = (await getWorkspace(db.orm, t.workspaceId)).commerce;
    return changeCart(db, { ...withChannel(t), settings }, op, version);
  }

  app.get(prefix, {
    ...needs('carts.read'),
    schema: schema('The customer\'s cart, priced for the channel (promotions applied; ?explain=true lists those that did not apply and why)', {
      ...params,
      querystring: opts.admin ? S.AdminCartQuery : S.CartQuery,
      response: { 200: S.CartSchema, ...errors },
    }),
  }, async (request) => {
    const q = request.query as { channelId?: string; explain?: boolean };
    const t = await opts.resolve(request, 'read', q.channelId);
    if (!('profileId' in t)) return emptyCart({ profileId: null, channel: t.channel, currency: t.currency });
    const currency = (await getWorkspace(db.orm, t.workspaceId)).currency;
    const cart = await getCart(db, { workspaceId: t.workspaceId, profileId: t.profileId, ...(t.channel ? { channel: t.channel } : {}), currency, explain: q.explain === true });
    if (!opts.admin && t.channel) await recordCartViewed(db.orm, cart, t.channel, t.workspaceId);
    return cart;
  });

  app.get(`${prefix}/stream`, {
    ...needs('carts.read'),
    schema: schema('Live cart (Server-Sent Events): `event: cart` with the whole cart now and after every change on any device or channel', {
      ...params,
      ...(opts.admin ? { querystring: S.AdminCartQuery } : {}),
      produces: ['text/event-stream'],
      response: errors,
    }),
  }, async (request, reply) => {
    const q = request.query as { channelId?: string };
    const t = await opts.resolve(request, 'stream', q.channelId);
    const release = opts.admitStream?.(request, t);
    try {
      const headers = opts.streamHeaders(request);
      if (!('profileId' in t)) {
        // A guest who has written nothing: nothing is created; the stream waits for its first change.
        const empty = emptyCart({ profileId: null, channel: t.channel, currency: t.currency });
        streamCart(hub, request, reply, { workspaceId: t.workspaceId, profileId: null, device: t.device, channel: t.channel }, empty, { headers, ...(release ? { onClose: release } : {}) });
        return;
      }
      const currency = (await getWorkspace(db.orm, t.workspaceId)).currency;
      const cart = await getCart(db, { workspaceId: t.workspaceId, profileId: t.profileId, ...(t.channel ? { channel: t.channel } : {}), currency });
      const device = t.writer.startsWith('device:') ? { device: t.writer } : {};
      const target = { workspaceId: t.workspaceId, profileId: cart.profileId ?? t.profileId, ...device, ...(t.channel ? { channel: t.channel } : {}) };
      streamCart(hub, request, reply, target, cart, { headers, ...(release ? { onClose: release } : {}) });
    } catch (err) {
      release?.();
      throw err;
    }
  });

  app.post(`${prefix}/lines`, {
    ...needs('carts.write'),
    schema: schema('Add units of a SKU to the cart', { ...params, body: opts.admin ? S.AdminAddLineBody : S.AddLineBody, response: { 200: S.CartSchema, ...errors } }),
  }, async (request) => {
    const b = request.body as { sku: string; quantity: number; version?: number; channelId?: string };
    return change(request, b.channelId, { kind: 'add', sku: b.sku, quantity: b.quantity }, b.version);
  });

  app.put(`${prefix}/lines/:sku`, {
    ...needs('carts.write'),
    schema: schema('Set the quantity of a SKU in the cart (0 removes it)', { ...skuParams, body: opts.admin ? S.AdminSetLineBody : S.SetLineBody, response: { 200: S.CartSchema, ...errors } }),
  }, async (request) => {
    const b = request.body as { quantity: number; version?: number; channelId?: string };
    const { sku } = request.params as { sku: string };
    return change(request, b.channelId, { kind: 'set', sku, quantity: b.quantity }, b.version);
  });

  app.delete(`${prefix}/lines/:sku`, {
    ...needs('carts.write'),
    schema: schema('Remove a SKU from the cart', { ...skuParams, querystring: opts.admin ? S.AdminVersionQuery : S.VersionQuery, response: { 200: S.CartSchema, ...errors } }),
  }, async (request) => {
    const q = request.query as { version?: number; channelId?: string };
    const { sku } = request.params as { sku: string };
    return change(request, q.channelId, { kind: 'remove', sku }, q.version);
  });

  app.delete(`${prefix}/lines`, {
    ...needs('carts.write'),
    schema: schema('Empty the cart', { ...params, querystring: opts.admin ? S.AdminVersionQuery : S.VersionQuery, response: { 200: S.CartSchema, ...errors } }),
  }, async (request) => {
    const q = request.query as { version?: number; channelId?: string };
    return change(request, q.channelId, { kind: 'clear' }, q.version);
  });

  app.post(`${prefix}/codes`, {
    ...needs('carts.write'),
    schema: schema('Enter a promotion code: kept on the cart (applied when the cart qualifies); 409 coupon_denied with the reason when it cannot be used', {
      ...params,
      body: opts.admin ? S.AdminCodeBody : S.CodeBody,
      response: { 200: S.CartSchema, ...errors },
    }),
  }, async (request) => {
    const b = request.body as { code: string; version?: number; channelId?: string };
    // A storefront's guesses are counted: a code unknown to the shop is a failed attempt.
    const guesser = opts.codeGuesser?.(request);
    if (guesser) {
      codeGuessesByShopper.check([guesser.shopper]);
      codeGuessesByAddress.check([guesser.address]);
    }
    try {
      return await change(request, b.channelId, { kind: 'addCode', code: b.code }, b.version);
    } catch (err) {
      if (guesser && err instanceof AppError && err.code === 'coupon_denied' && err.details?.reason === 'unknown_code') {
        codeGuessesByShopper.fail([guesser.shopper]);
        codeGuessesByAddress.fail([guesser.address]);
      }
      throw err;
    }
  });

  app.delete(`${prefix}/codes/:code`, {
    ...needs('carts.write'),
    schema: schema('Remove a code from the cart', {
      params: opts.admin ? S.AdminCodeParams : S.CodeParams,
      querystring: opts.admin ? S.AdminVersionQuery : S.VersionQuery,
      response: { 200: S.CartSchema, ...errors },
    }),
  }, async (request) => {
    const q = request.query as { version?: number; channelId?: string };
    const { code } = request.params as { code: string };
    return change(request, q.channelId, { kind: 'removeCode', code }, q.version);
  });

  app.post(`${prefix}/checkout`, {
    ...needs('carts.write'),
    schema: schema('Record checkout progress: started (holds the units), shipping, payment, payment_failed (with the provider\'s reason), cancelled', {
      ...params,
      body: opts.admin ? S.AdminCheckoutBody : S.CheckoutBody,
      response: { 200: S.CartSchema, ...errors },
    }),
  }, async (request) => {
    const b = request.body as CheckoutBody & { channelId?: string };
    return change(request, b.channelId, checkoutOp(b), b.version);
  });

  app.post(`${prefix}/order`, {
    ...needs('carts.write'),
    schema: schema('Place the order: the cart becomes an order, held units become the sale, the cart closes. Idempotent by key.', {
      ...params,
      body: opts.admin ? S.AdminPlaceCartOrderBody : S.PlaceCartOrderBody,
      response: { 200: OrderSchema, 201: OrderSchema, ...errors },
    }),
  }, async (request, reply) => {
    // The store body has no status: only the admin API (or a verified payment callback) says an order is paid.
    const b = request.body as { idempotencyKey?: string; status?: 'placed' | 'paid'; version?: number; channelId?: string; expectedTotal?: number };
    const key = idempotencyKeyOf(request, b);
    const t = await opts.resolve(request, 'write', b.channelId);
    if (!('profileId' in t)) throw new Error('an order resolved no customer');
    const { order, created } = await checkoutCart(db, { ...withChannel(t), idempotencyKey: key, expectedVersion: b.version, ...(b.expectedTotal !== undefined ? { expectedTotal: b.expectedTotal } : {}), ...(b.status ? { status: b.status } : {}) });
    return reply.code(created ? 201 : 200).send(order);
  });
}

/** `/api/v1/profiles/{id}/cart…`: the agent, POS, chatbot or backend acting for a customer. */
export function adminCartRoutes(ctx: AppContext, guard: AdminGuard, hub: CartHub) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    cartRoutes(app, ctx, hub, {
      prefix: '/api/v1/profiles/:id/cart',
      tags: ['carts'],
      security: [{ adminToken: [] }],
      admin: true,
      streamHeaders: () => ({}),
      async resolve(request, _mode, channelId) {
        const workspaceId = adminWorkspace(request);
        const { id } = request.params as { id: string };
        const profile = await getProfile(ctx.db.orm, workspaceId, id);
        const channel = channelId ? await getChannel(ctx.db.orm, workspaceId, channelId) : undefined;
        return { workspaceId, profileId: profile.id, ...(channel ? { channel } : {}), actor: adminActor(request), writer: STAFF_WRITER };
      },
    });
  };
}

/** `/store/v1/cart…`: browsers and apps. CORS is open: the write key and shopper credential are the gate. */
export function storeCartRoutes(ctx: AppContext, hub: CartHub, writer: IngestWriter) {
  const streams = new StreamLimits({ perCredential: ctx.config.storeStreamsPerShopper, perAddress: ctx.config.storeStreamsPerIp });
  async function ensureProfile(shopper: Shopper): Promise<string> {
    if (shopper.profileId) return shopper.profileId;
    // A guest's first write: their profile is created by identity resolution, like any visitor's.
    const profileId = await identifyCustomer(
      { ex: ctx.db.orm, writer },
      {
        workspaceId: shopper.workspaceId,
        sourceId: shopper.source.id,
        channel: shopper.channel.type,
        messageId: `store-guest:${shopper.anonymousId}`,
        anonymousId: shopper.anonymousId!,
        traits: {},
        externalIds: [],
        timestamp: new Date(),
      },
    );
    if (!profileId) throw new AppError('validation_failed', 'X-Omni-Anonymous-Id: not a usable anonymous id', { field: 'anonymousId' });
    return profileId;
  }

  return async function routes(app: App) {
    app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (origin) {
        reply.header('access-control-allow-origin', origin);
        reply.header('vary', 'Origin');
      }
      if (request.method === 'OPTIONS') {
        reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS');
        reply.header('access-control-allow-headers', 'Authorization, Content-Type, X-Omni-Write-Key, X-Omni-Customer-Token, X-Omni-Anonymous-Id, Idempotency-Key');
        reply.header('access-control-max-age', '86400');
        return reply.code(204).send();
      }
    });
    app.options('/store/v1/*', { schema: { hide: true } }, async (_req, reply) => reply.code(204).send());

    app.get('/store/v1/products', {
      schema: {
        tags: ['store'],
        summary: 'The catalog as this storefront sells it: active products, prices for its channel, what it can sell now',
        security: [{ writeKey: [] }],
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200, description: 'Search (accents optional: "ao thun" finds "Áo thun").' })),
          categoryId: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: StoreProductsSchema, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const { workspaceId, channel } = await authenticateSource(ctx.db.orm, request);
      const q = request.query;
      const page = await listProducts(ctx.db.orm, workspaceId, { status: 'active', limit: q.limit ?? 24, ...(q.q ? { q: q.q } : {}), ...(q.categoryId ? { categoryId: q.categoryId } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) });
      const levels = await getLevels(ctx.db.orm, workspaceId, page.data.flatMap((p) => p.variants.map((v) => v.id)));
      return {
        data: page.data.map((p) => ({
          id: p.id,
          title: p.title,
          description: p.description,
          categoryIds: p.categoryIds,
          variants: p.variants.map((v) => ({
            sku: v.sku,
            title: v.title,
            options: v.options,
            price: priceFor(v, channel.id),
            currency: v.currency,
            available: availableForChannel(channel, levels, v.id),
          })),
        })),
        nextCursor: page.nextCursor,
      };
    });
    cartRoutes(app, ctx, hub, {
      prefix: '/store/v1/cart',
      tags: ['store'],
      security: [{ writeKey: [] }],
      admin: false,
      streamHeaders: (request): Record<string, string> => (request.headers.origin ? { 'access-control-allow-origin': request.headers.origin, vary: 'Origin' } : {}),
      async resolve(request, mode) {
        const shopper = await authenticateShopper(ctx.db.orm, request);
        const actor = `source:${shopper.source.id}`;
        if (shopper.via === 'customer_token') return { workspaceId: shopper.workspaceId, profileId: shopper.profileId!, channel: shopper.channel, actor, writer: CUSTOMER_WRITER };
        const device = deviceWriter(shopper.anonymousId!);
        if (!shopper.profileId && mode !== 'write') {
          // Reading or watching writes nothing: no profile is made for an anonymous id that only looks.
          return { workspaceId: shopper.workspaceId, channel: shopper.channel, device, currency: (await getWorkspace(ctx.db.orm, shopper.workspaceId)).currency };
        }
        // An anonymous id reaches only a cart its own device built; one that others wrote to needs sign-in.
        if (shopper.profileId && !(await guestMayReachCart(ctx.db.orm, { workspaceId: shopper.workspaceId, profileId: shopper.profileId, device }))) {
          throw new AppError('customer_token_required', SIGN_IN_TO_SEE_CART);
        }
        const profileId = await ensureProfile(shopper);
        return { workspaceId: shopper.workspaceId, profileId, channel: shopper.channel, actor, writer: device };
      },
      codeGuesser: (request) => ({ shopper: shopperKey(request), address: request.ip }),
      admitStream: (request, t) => streams.admit(request.ip, 'device' in t ? t.device : t.writer === CUSTOMER_WRITER ? `customer:${t.profileId}` : t.writer),
    });
  };
}

const CustomerTokenBody = Type.Object(
  {
    profileId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The customer, by profile id…' })),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: '…or by your user id (found or created through identity resolution)' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
    anonymousId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The browser's anonymous id at sign-in: the guest's profile and cart join the customer's." }),
    ),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 90 * 24 * 3600, description: 'Lifetime, seconds (default 7 days).' })),
    channel: Type.Optional(
      Type.Unsafe<ChannelType>({
        type: 'string',
        enum: [...CHANNEL_TYPES],
        description: "Where the shopper signs in (web, app …): the channel of the identify that joins the guest, on the customer's timeline. Default server.",
      }),
    ),
  },
  { additionalProperties: false },
);

const CustomerTokenSchema = Type.Object({
  id: Type.String(),
  profileId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
});

/**
 * `POST /api/v1/customer-tokens`: the merchant's backend, when a shopper signs in, mints the
 * token the browser or app then sends to the store API. Passing the browser's anonymous id
 * joins the guest (and their cart) to the customer.
 */
export function customerTokenRoutes(ctx: AppContext, guard: AdminGuard, writer: IngestWriter) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    app.post('/api/v1/customer-tokens', {
      config: { permission: 'customer_tokens.write' },
      schema: {
        tags: ['store'],
        summary: 'Mint a customer token for the store API (the secret is shown once)',
        body: CustomerTokenBody,
        response: { 201: Type.Object({ token: CustomerTokenSchema, secret: Type.String() }), 400: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request, reply) => {
      const minted = await issueCustomerToken({ ctx, writer }, { workspaceId: adminWorkspace(request), ...request.body });
      return reply.code(201).send(minted);
    });

    app.delete('/api/v1/customer-tokens/:id', {
      config: { permission: 'customer_tokens.write' },
      schema: { tags: ['store'], summary: 'Revoke a customer token (sign-out everywhere)', params: S.ProfileParams, response: { 200: CustomerTokenSchema, 404: ErrorResponse } },
    }, async (request) => revokeCustomerToken(ctx.db.orm, adminWorkspace(request), request.params.id));
  };
}

/**
 * Sign a shopper in: find the customer (by profile id, or by identifiers through identity
 * resolution) and mint their customer token. With the browser's anonymous id, the guest's
 * profile and cart join the customer's. `POST /api/v1/customer-tokens` and the demo store's
 * sign-in both come here.
 */
export async function issueCustomerToken(
  deps: { ctx: AppContext; writer: IngestWriter },
  b: { workspaceId: string; profileId?: string; userId?: string; email?: string; phone?: string; anonymousId?: string; ttlSeconds?: number; channel?: ChannelType },
): Promise<{ token: CustomerToken; secret: string }> {
  const { ctx, writer } = deps;
  const workspaceId = b.workspaceId;
  let profileId: string;
  if (b.profileId) {
    profileId = (await getProfile(ctx.db.orm, workspaceId, b.profileId)).id;
    if (b.anonymousId) await joinGuest(workspaceId, b.anonymousId, profileId);
  } else {
    if (!b.userId && !b.email && !b.phone) {
      throw new AppError('validation_failed', 'body: name the customer: profileId, userId, email or phone', { field: 'profileId' });
    }
    const traits: Record<string, unknown> = {};
    if (b.email) traits.email = b.email;
    if (b.phone) traits.phone = b.phone;
    const found = await identifyCustomer(
      { ex: ctx.db.orm, writer },
      {
        workspaceId,
        sourceId: null,
        channel: b.channel ?? 'server',
        messageId: `customer-token:${newId('msg')}`,
        ...(b.userId ? { userId: b.userId } : {}),
        ...(b.anonymousId ? { anonymousId: b.anonymousId } : {}),
        traits,
        externalIds: [],
        timestamp: new Date(),
      },
    );
    if (!found) throw new AppError('validation_failed', 'body: none of userId, email, phone is a usable identifier', { field: 'userId' });
    profileId = found;
  }
  return mintCustomerToken(ctx.db.orm, { workspaceId, profileId, ttlSeconds: b.ttlSeconds ?? 7 * 24 * 3600 });

  /** A known profile and a browser's anonymous id: identify them together so resolution joins them. */
  async function joinGuest(workspaceId: string, anonymousId: string, profileId: string): Promise<void> {
    const profile = await getProfile(ctx.db.orm, workspaceId, profileId);
    const userId = profile.identifiers.find((i) => i.type === 'user_id')?.value;
    const email = profile.identifiers.find((i) => i.type === 'email')?.value;
    const phone = profile.identifiers.find((i) => i.type === 'phone')?.value;
    if (!userId && !email && !phone) return; // nothing to join on
    await identifyCustomer(
      { ex: ctx.db.orm, writer },
      {
        workspaceId,
        sourceId: null,
        channel: b.channel ?? 'server',
        messageId: `customer-token:${newId('msg')}`,
        ...(userId ? { userId } : {}),
        anonymousId,
        traits: { ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
        externalIds: [],
        timestamp: new Date(),
      },
    );
  }
}
