/**
 * One cart per customer, whatever device or channel touches it.
 *
 * The cart belongs to the profile, not to a browser: the web, the app, POS, the chatbot and the
 * support agent all read and change the same one. Every change runs in one transaction that
 * locks the cart row, checks the caller's `version` (a stale one gets 409 `cart_conflict` with
 * the current cart), applies the change, moves the version on, records the Segment e-commerce
 * event on the timeline and NOTIFYs the change (delivered at commit) for live sync.
 *
 * Prices are the catalog's, for the channel that looks at the cart (a cart seen from the app
 * shows the app's prices); totals are computed here, never taken from the client.
 *
 * When identity resolution merges a guest into a known customer, their carts merge (see
 * `mergeCarts` for the rule), both when the merge is consumed from the domain log and lazily on
 * the next access, whichever comes first.
 */
import type { FastifyBaseLogger } from 'fastify';
import { notify, toDate, type Database, type Executor } from '../../db/client';
import { appendDomainEvents, startConsumer, type Consumer } from '../../platform/domain-log';
import { AppError } from '../../platform/errors';
import { newId, sha256 } from '../../platform/ids';
import { findVariantsBySku, getChannel, getVariantsByIds, priceFor, shippingFeeOf, type CatalogVariant, type SalesChannel } from '../catalog';
import { recordEvents, type RecordedEvent } from '../ingest';
import { availableForChannel, checkAvailable, getLevels, releaseReservations, reserveStock } from '../inventory';
import { findTimelineProfileIds, getTimelineProfileIds, profileHasUserId } from '../profiles';
import { normalizeCode, price, recordCouponEvents, resolveCodes, type AppliedPromotion, type CodeOutcome, type NotApplied } from '../promotions';
import type { CommerceSettings } from '../workspaces';
import * as repo from './carts.repo';

/** NOTIFY channel for cart changes: payload `{"w": workspaceId, "p": [profileIds]}`. */
export const CART_NOTIFY_CHANNEL = 'omni_cart';

export const CHECKOUT_STEPS = ['none', 'started', 'shipping', 'payment', 'payment_failed'] as const;
export type CheckoutStep = (typeof CHECKOUT_STEPS)[number];

export interface PaymentFailure {
  provider: string;
  reason: string;
  code: string | null;
  channelId: string;
  at: string;
}

/** Where the customer is in checkout, so an agent later sees where they got stuck. */
export interface CheckoutState {
  step: CheckoutStep;
  startedAt: string | null;
  /**
   * The shipping method chosen: its id and name, and its fee rule when chosen (the channel's
   * current rule applies while the method exists; `custom` marks a fee an agent set).
   */
  shipping: { method: string; name: string; fee: number; freeAbove: number | null; custom: boolean; address: Record<string, unknown> | null } | null;
  payment: { provider: string; method: string } | null;
  /** Newest last; the last 20 are kept. */
  paymentFailures: PaymentFailure[];
  /** Units are held for this cart until then (null: nothing held). */
  reservedUntil: string | null;
  /** Every step taken, newest last (the last 50). */
  history: { step: string; channelId: string; at: string }[];
}

const EMPTY_CHECKOUT: CheckoutState = { step: 'none', startedAt: null, shipping: null, payment: null, paymentFailures: [], reservedUntil: null, history: [] };

export interface CartLine {
  variantId: string;
  productId: string;
  sku: string;
  title: string;
  quantity: number;
  /** For the channel the cart is priced for, minor units. */
  unitPrice: number;
  /** Promotions' discount on this line. */
  discount: number;
  /** unitPrice × quantity − discount. */
  total: number;
  /** What that channel can sell of this variant now (not counting units held for this cart). */
  available: number;
  /** The channel the line was first added on. */
  addedOnChannelId: string | null;
  addedAt: string;
}

export interface Cart {
  /** null until the first change creates the cart. */
  id: string | null;
  /** null only for a guest who has not written anything yet. */
  profileId: string | null;
  status: 'active' | 'ordered' | 'merged';
  currency: string;
  /** The channel that changed it last. */
  channelId: string | null;
  /** 0 before the cart exists; every change adds one. Send it back to change the cart safely. */
  version: number;
  /** null: catalog prices (no channel given and the cart has not been touched yet). */
  pricedForChannelId: string | null;
  lines: CartLine[];
  itemCount: number;
  subtotal: number;
  discountTotal: number;
  /** The shipping fee chosen at checkout, before any shipping discount. */
  shippingTotal: number;
  shippingDiscount: number;
  total: number;
  /** Promotions applied, each with its amount. */
  promotions: AppliedPromotion[];
  /** Codes entered and what became of each. */
  codes: CodeOutcome[];
  /** Free items promotions add. */
  gifts: { variantId: string; sku: string; title: string; quantity: number; promotionId: string }[];
  /** With `explain`: the promotions that did not apply, and why. */
  notApplied?: NotApplied[];
  checkout: CheckoutState;
  orderId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export type CartOp =
  | { kind: 'add'; sku: string; quantity: number }
  | { kind: 'set'; sku: string; quantity: number }
  | { kind: 'remove'; sku: string }
  | { kind: 'clear' }
  | { kind: 'addCode'; code: string }
  | { kind: 'removeCode'; code: string }
  | { kind: 'checkout'; step: 'started' }
  /** `fee` only from the admin API (an agent quoting a fee); a storefront names a method of the channel. */
  | { kind: 'checkout'; step: 'shipping'; method: string; fee?: number; address?: Record<string, unknown> }
  | { kind: 'checkout'; step: 'payment'; provider: string; method: string }
  | { kind: 'checkout'; step: 'payment_failed'; provider: string; reason: string; code?: string }
  | { kind: 'checkout'; step: 'cancelled' };

/** Who changes a cart, on which channel, under which workspace settings. */
export interface CartCaller {
  workspaceId: string;
  /** Any id of the customer's profile; a merged-away id reaches the survivor's cart. */
  profileId: string;
  channel: SalesChannel;
  actor: string;
  /** Recorded on the cart: a guest's device (`deviceWriter`), `customer` or `staff`. */
  writer: string;
  settings: CommerceSettings;
}

/**
 * The writer key of a guest's browser or app: a hash of its anonymous id (the cart does not keep
 * another copy of an identifier).
 */
export function deviceWriter(anonymousId: string): string {
  return `device:${sha256(anonymousId).slice(0, 32)}`;
}
export const CUSTOMER_WRITER = 'customer';
export const STAFF_WRITER = 'staff';

/**
 * May a guest's device (its anonymous id, nothing else) reach the customer's cart? Only when
 * no one else has written to it: another device that joined the same profile (identity
 * resolution merges people who share an email or phone, and anyone can claim one) or a person
 * (a customer token, the shop's staff). Otherwise the shopper signs in.
 */
export async function guestMayReachCart(ex: Executor, opts: { workspaceId: string; profileId: string; device: string }): Promise<boolean> {
  const ids = await findTimelineProfileIds(ex, opts.workspaceId, opts.profileId);
  if (ids.length === 0) return false; // erased
  // A known customer (a user id) is reached with a customer token, never an anonymous id.
  if (await profileHasUserId(ex, opts.workspaceId, ids[0]!)) return false;
  const writers = await repo.selectActiveWriters(ex, opts.workspaceId, ids);
  return writers.every((w) => w === opts.device);
}

const withWriter = (writers: string[] | undefined, writer: string): string[] => ((writers ?? []).includes(writer) ? (writers ?? []) : [...(writers ?? []), writer]);

/**
 * How an order placed from this cart is paid: cash on delivery when the shopper chose it, or
 * when they chose nothing on a channel that takes it; the method they chose otherwise (awaiting
 * payment); null when nothing was said.
 */
export function paymentMethodOf(cart: Pick<Cart, 'checkout'>, channel: Pick<SalesChannel, 'cashOnDelivery'>): string | null {
  const chosen = cart.checkout.payment;
  if (chosen) return isCashOnDelivery(chosen) ? 'cod' : chosen.method;
  return channel.cashOnDelivery ? 'cod' : null;
}

/** The reservation holder for a cart's units. */
export const cartHolder = (cartId: string): string => `cart:${cartId}`;

function checkoutOf(row: repo.CartRow | undefined): CheckoutState {
  return { ...EMPTY_CHECKOUT, ...((row?.checkout ?? {}) as Partial<CheckoutState>) };
}

const titleOf = (v: CatalogVariant): string => (v.title ? `${v.productTitle} — ${v.title}` : v.productTitle);

/** The fee rule of the chosen method: the channel's current one while it offers the method, else the one chosen. */
function shippingRule(chosen: NonNullable<CheckoutState['shipping']>, channel: SalesChannel | null): { fee: number; freeAbove: number | null } {
  const current = chosen.custom ? undefined : channel?.shippingMethods.find((m) => m.id === chosen.method);
  return current ?? { fee: chosen.fee, freeAbove: chosen.freeAbove ?? null };
}

/** Cash on delivery is chosen by naming it as the payment method or provider. */
const isCashOnDelivery = (p: { provider: string; method: string }): boolean => p.method === 'cod' || p.provider === 'cod';

/** What the caller already read, so pricing does not read it again. */
interface Known {
  lines?: repo.CartLineRow[];
  variants?: Map<string, CatalogVariant>;
  /** Include the promotions that did not apply and why. */
  explain?: boolean;
}

/** Price a cart for a channel. */
async function toCart(
  ex: Executor,
  workspaceId: string,
  profileId: string,
  row: repo.CartRow | undefined,
  channel: SalesChannel | null,
  known: Known = {},
): Promise<Cart> {
  const lineRows = known.lines ?? (row ? await repo.selectLines(ex, workspaceId, [row.id]) : []);
  const variantIds = lineRows.map((l) => l.variant_id);
  const variants = known.variants ?? (await getVariantsByIds(ex, workspaceId, variantIds));
  const levels = await getLevels(ex, workspaceId, variantIds);
  const priceable: { row: repo.CartLineRow; v: CatalogVariant; unitPrice: number }[] = [];
  for (const l of lineRows) {
    const v = variants.get(l.variant_id);
    if (!v) continue; // deleted from the catalog: no longer sellable, not shown
    priceable.push({ row: l, v, unitPrice: channel ? priceFor(v, channel.id) : v.price });
  }
  const checkout = checkoutOf(row);
  const shippingTotal = checkout.shipping ? shippingFeeOf(shippingRule(checkout.shipping, channel), priceable.reduce((n, p) => n + p.unitPrice * p.row.quantity, 0)) : 0;
  const codes = row ? await repo.selectCodes(ex, workspaceId, row.id) : [];
  // Promotions price an open cart for the channel looking at it; a closed cart keeps list prices.
  const priced =
    channel && (row?.status ?? 'active') === 'active' && (priceable.length > 0 || codes.length > 0)
      ? await price(ex, {
          workspaceId,
          profileId,
          channel,
          lines: priceable.map((p) => ({ variant: p.v, quantity: p.row.quantity, unitPrice: p.unitPrice })),
          codes,
          shippingFee: shippingTotal,
        })
      : undefined;
  const discountOf = new Map(priced?.result.lines.map((l) => [l.variantId, l.discount]) ?? []);
  const lines: CartLine[] = priceable.map(({ row: l, v, unitPrice }) => {
    const discount = discountOf.get(v.id) ?? 0;
    return {
      variantId: v.id,
      productId: v.productId,
      sku: v.sku,
      title: titleOf(v),
      quantity: l.quantity,
      unitPrice,
      discount,
      total: unitPrice * l.quantity - discount,
      available: channel ? availableForChannel(channel, levels, v.id) : levels.filter((x) => x.variantId === v.id).reduce((n, x) => n + Math.max(x.available, 0), 0),
      addedOnChannelId: l.channel_id,
      addedAt: toDate(l.added_at).toISOString(),
    };
  });
  const subtotal = lines.reduce((n, l) => n + l.unitPrice * l.quantity, 0);
  const discountTotal = priced?.result.discountTotal ?? 0;
  const shippingDiscount = priced?.result.shippingDiscount ?? 0;
  const giftVariants = priced && priced.result.gifts.length > 0 ? await getVariantsByIds(ex, workspaceId, priced.result.gifts.map((g) => g.variantId)) : new Map<string, CatalogVariant>();
  return {
    id: row?.id ?? null,
    profileId,
    status: (row?.status ?? 'active') as Cart['status'],
    currency: row?.currency ?? channel?.currency ?? 'VND',
    channelId: row?.channel_id ?? null,
    version: row?.version ?? 0,
    pricedForChannelId: channel?.id ?? null,
    lines,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    subtotal,
    discountTotal,
    shippingTotal,
    shippingDiscount,
    total: Math.max(subtotal - discountTotal, 0) + shippingTotal - shippingDiscount,
    promotions: priced?.result.applied ?? [],
    codes: priced?.codes ?? codes.map((code) => ({ code, status: 'not_applied', promotionId: null, reason: null, message: null, needs: [] })),
    gifts: (priced?.result.gifts ?? []).flatMap((g) => {
      const v = giftVariants.get(g.variantId);
      return v ? [{ variantId: v.id, sku: v.sku, title: titleOf(v), quantity: g.quantity, promotionId: g.promotionId }] : [];
    }),
    ...(known.explain ? { notApplied: priced?.result.notApplied ?? [] } : {}),
    checkout,
    orderId: row?.order_id ?? null,
    createdAt: row ? toDate(row.created_at).toISOString() : null,
    updatedAt: row ? toDate(row.updated_at).toISOString() : null,
  };
}

/** The cart of a customer who has none yet. */
export function emptyCart(opts: { profileId: string | null; channel: SalesChannel | null; currency: string }): Cart {
  return {
    id: null,
    profileId: opts.profileId,
    status: 'active',
    currency: opts.channel?.currency ?? opts.currency,
    channelId: null,
    version: 0,
    pricedForChannelId: opts.channel?.id ?? null,
    lines: [],
    itemCount: 0,
    subtotal: 0,
    discountTotal: 0,
    shippingTotal: 0,
    shippingDiscount: 0,
    total: 0,
    promotions: [],
    codes: [],
    gifts: [],
    checkout: { ...EMPTY_CHECKOUT },
    orderId: null,
    createdAt: null,
    updatedAt: null,
  };
}

/** Wake the live streams of these profiles (and, for a guest's change, of the device that made it). */
async function notifyCart(ex: Executor, workspaceId: string, profileIds: string[], device?: string): Promise<void> {
  await notify(ex, CART_NOTIFY_CHANNEL, JSON.stringify({ w: workspaceId, p: profileIds.slice(0, 100), ...(device?.startsWith('device:') ? { d: device } : {}) }));
}

/**
 * The customer's active cart, priced for `channel`. Pending guest carts of merged profiles are
 * merged first (in their own transaction) so every reader sees one cart.
 */
export async function getCart(db: Database, opts: { workspaceId: string; profileId: string; channel?: SalesChannel; currency?: string; explain?: boolean }): Promise<Cart> {
  const ids = await getTimelineProfileIds(db.orm, opts.workspaceId, opts.profileId);
  const live = ids[0]!;
  const carts = await repo.selectActiveCarts(db.orm, opts.workspaceId, ids);
  const priceFor = async (ex: Executor, row: repo.CartRow | undefined): Promise<SalesChannel | null> =>
    opts.channel ?? (row?.channel_id ? await getChannel(ex, opts.workspaceId, row.channel_id).catch(() => null) : null);
  if (carts.some((c) => c.profile_id !== live)) {
    return db.orm.transaction(async (tx) => {
      const row = await lockCart(tx, opts.workspaceId, ids, 'merge on read');
      return toCart(tx, opts.workspaceId, live, row, await priceFor(tx, row), { explain: opts.explain ?? false });
    });
  }
  if (!carts[0]) return emptyCart({ profileId: live, channel: opts.channel ?? null, currency: opts.currency ?? 'VND' });
  return toCart(db.orm, opts.workspaceId, live, carts[0], await priceFor(db.orm, carts[0]), { explain: opts.explain ?? false });
}

/** A cart by id (active or closed), priced for a channel. */
export async function getCartById(ex: Executor, workspaceId: string, cartId: string, channel: SalesChannel): Promise<Cart> {
  const row = await repo.selectCart(ex, workspaceId, cartId);
  if (!row) throw new AppError('cart_not_found', `Cart ${cartId} not found`);
  return toCart(ex, workspaceId, row.profile_id, row, channel);
}

/**
 * Lock the live profile's active cart (FOR UPDATE), first folding in the active carts of
 * profiles merged into it. Returns undefined when the customer has no cart.
 */
async function lockCart(tx: Executor, workspaceId: string, ids: string[], actor: string): Promise<repo.CartRow | undefined> {
  const live = ids[0]!;
  const carts = await repo.selectActiveCarts(tx, workspaceId, ids, { forUpdate: true });
  if (carts.length === 0) return undefined;
  if (carts.length === 1 && carts[0]!.profile_id === live) return carts[0];
  return mergeCarts(tx, workspaceId, live, carts, actor);
}

/**
 * Merge carts into one for the surviving profile. The rule:
 *  - the survivor's own cart is kept; if it has none, the most recently changed cart moves to it;
 *  - quantities of the same variant are added, then capped at what the cart's channel can sell
 *    now, but never below the larger of the two quantities (nothing the shopper chose on one
 *    device disappears; checkout tells them if stock has run out since);
 *  - lines only in the merged cart keep the channel and time they were first added;
 *  - the merged carts close with status `merged` and point at the survivor's; units they held
 *    go back on the shelf, and the survivor's checkout keeps its own progress.
 */
async function mergeCarts(tx: Executor, workspaceId: string, live: string, carts: repo.CartRow[], actor: string): Promise<repo.CartRow> {
  let target = carts.find((c) => c.profile_id === live) ?? carts[0]!;
  const others = carts.filter((c) => c.id !== target.id);
  const targetLines = await repo.selectLines(tx, workspaceId, [target.id]);
  const otherLines = await repo.selectLines(tx, workspaceId, others.map((c) => c.id));
  const channel = target.channel_id ? await getChannel(tx, workspaceId, target.channel_id).catch(() => undefined) : undefined;
  const variantIds = [...new Set([...targetLines, ...otherLines].map((l) => l.variant_id))];
  const levels = channel ? await getLevels(tx, workspaceId, variantIds) : [];
  const qty = new Map(targetLines.map((l) => [l.variant_id, l.quantity]));

  // Close the merged carts first: the survivor may take over one's profile slot.
  for (const c of others) {
    await repo.updateCart(tx, workspaceId, c.id, { status: 'merged', mergedInto: target.id });
    await releaseReservations(tx, { workspaceId, holder: cartHolder(c.id), actor });
  }
  const otherCurrency = new Set(others.filter((c) => c.currency !== target.currency).map((c) => c.id));
  for (const l of otherLines) {
    if (otherCurrency.has(l.cart_id)) continue; // priced in another currency: cannot be combined
    const had = qty.get(l.variant_id) ?? 0;
    let merged = had + l.quantity;
    if (channel) merged = Math.min(merged, Math.max(availableForChannel(channel, levels, l.variant_id), had, l.quantity));
    qty.set(l.variant_id, merged);
    await repo.upsertLine(tx, workspaceId, { cartId: target.id, variantId: l.variant_id, quantity: merged, channelId: l.channel_id });
  }
  await repo.copyCodes(tx, workspaceId, others.map((c) => c.id), target.id);
  // Everyone who wrote to any of the carts wrote to the merged one.
  const writers = [...new Set(carts.flatMap((c) => c.writers ?? []))];
  target = await repo.updateCart(tx, workspaceId, target.id, { writers, ...(target.profile_id === live ? {} : { profileId: live }) });
  await appendDomainEvents(tx, [
    { workspaceId, type: 'cart.merged', profileId: live, ref: target.id, data: { from: others.map((c) => c.id), into: target.id } },
  ]);
  await notifyCart(tx, workspaceId, [live, ...new Set(carts.map((c) => c.profile_id))]);
  return target;
}

function stepEntry(step: string, channel: SalesChannel): CheckoutState['history'][number] {
  return { step, channelId: channel.id, at: new Date().toISOString() };
}

/**
 * Change the customer's cart: one transaction, version-checked. `expectedVersion` (when given)
 * must equal the cart's current version (0: no cart yet), else 409 `cart_conflict` carrying
 * the current cart. Stock and the cart are unchanged by any refusal.
 */
export async function changeCart(db: Database, caller: CartCaller, op: CartOp, expectedVersion?: number): Promise<Cart> {
  const { workspaceId, channel } = caller;
  if (channel.archivedAt) throw new AppError('validation_failed', `channelId: channel ${channel.id} is archived`, { field: 'channelId' });
  if (op.kind === 'addCode') await refuseDeniedCode(db, caller, op.code);
  return db.orm.transaction(async (tx) => {
    const ids = await getTimelineProfileIds(tx, workspaceId, caller.profileId);
    const live = ids[0]!;
    let row = await lockCart(tx, workspaceId, ids, caller.actor);
    if (expectedVersion !== undefined && expectedVersion !== (row?.version ?? 0)) {
      const current = await toCart(tx, workspaceId, live, row, channel);
      throw new AppError('cart_conflict', `The cart changed: it is at version ${current.version}, the change was made against ${expectedVersion}`, {
        currentVersion: current.version,
        cart: current,
      });
    }
    const removes = op.kind === 'remove' || op.kind === 'clear' || op.kind === 'removeCode' || (op.kind === 'checkout' && op.step === 'cancelled');
    if (!row && removes) return toCart(tx, workspaceId, live, undefined, channel); // nothing to remove: already so
    if (!row) row = await createCart(tx, { workspaceId, profileId: live, channel, writer: caller.writer });
    if (row.currency !== channel.currency) {
      throw new AppError('currency_mismatch', `The cart is in ${row.currency}; channel ${channel.id} sells in ${channel.currency}`, { field: 'channelId' });
    }

    const lines = await repo.selectLines(tx, workspaceId, [row.id]);
    const before = new Map(lines.map((l) => [l.variant_id, l.quantity]));
    const after = new Map(before);
    let checkout = checkoutOf(row);
    const touched = new Map<string, CatalogVariant>();
    const now = new Date();

    if (op.kind === 'add' || op.kind === 'set' || op.kind === 'remove') {
      const v = await variantBySku(tx, workspaceId, op.sku);
      touched.set(v.id, v);
      const had = after.get(v.id) ?? 0;
      const want = op.kind === 'add' ? had + op.quantity : op.kind === 'set' ? op.quantity : 0;
      if (want > had) assertSellable(v, row.currency);
      if (want === 0) after.delete(v.id);
      else after.set(v.id, want);
    } else if (op.kind === 'clear') {
      after.clear();
    } else if (op.kind === 'addCode') {
      await repo.insertCode(tx, workspaceId, row.id, normalizeCode(op.code));
    } else if (op.kind === 'removeCode') {
      await repo.deleteCode(tx, workspaceId, row.id, normalizeCode(op.code));
    } else {
      checkout = nextCheckout(checkout, op, channel, after.size);
    }

    // Units: held for the cart when the workspace reserves at add-to-cart or checkout is under
    // way; otherwise a plain availability check of what grew.
    const holding = checkout.step !== 'none' || caller.settings.reserveOn === 'add_to_cart';
    const changedLines = !sameQuantities(before, after);
    const variants = await variantsOf(tx, workspaceId, [...new Set([...before.keys(), ...after.keys()])], touched);
    const stockLines = [...after].map(([variantId, quantity]) => ({ variantId, sku: variants.get(variantId)?.sku ?? variantId, quantity }));
    if (holding && (changedLines || op.kind === 'checkout')) {
      if (stockLines.length === 0) {
        await releaseReservations(tx, { workspaceId, holder: cartHolder(row.id), actor: caller.actor });
        checkout = { ...checkout, reservedUntil: null };
      } else {
        await reserveStock(tx, { workspaceId, channel, holder: cartHolder(row.id), lines: stockLines, ttlSeconds: caller.settings.reservationTtlSeconds, actor: caller.actor });
        checkout = { ...checkout, reservedUntil: new Date(now.getTime() + caller.settings.reservationTtlSeconds * 1000).toISOString() };
      }
    } else if (!holding && checkout.reservedUntil !== null) {
      await releaseReservations(tx, { workspaceId, holder: cartHolder(row.id), actor: caller.actor });
      checkout = { ...checkout, reservedUntil: null };
    } else {
      // Nothing held: what grew must be there to sell (a plain read; the order re-checks under lock).
      const grew = stockLines.filter((l) => l.quantity > (before.get(l.variantId) ?? 0));
      if (grew.length > 0) await checkAvailable(tx, { workspaceId, channel, lines: grew });
    }

    // Write the lines that changed.
    const gone = [...before.keys()].filter((id) => !after.has(id));
    if (gone.length > 0) await repo.deleteLines(tx, workspaceId, row.id, gone);
    const at = now.toISOString();
    const byVariant = new Map(lines.map((l) => [l.variant_id, l]));
    const nextLines: repo.CartLineRow[] = [];
    for (const [variantId, quantity] of after) {
      const had = byVariant.get(variantId);
      if (had?.quantity !== quantity) await repo.upsertLine(tx, workspaceId, { cartId: row.id, variantId, quantity, channelId: channel.id });
      nextLines.push(had ? { ...had, quantity } : { cart_id: row.id, variant_id: variantId, quantity, channel_id: channel.id, added_at: at, updated_at: at });
    }
    const updated = await repo.updateCart(tx, workspaceId, row.id, { channelId: channel.id, checkout: { ...checkout }, writers: withWriter(row.writers, caller.writer) });
    const cart = await toCart(tx, workspaceId, live, updated, channel, { lines: nextLines, variants });
    await recordEvents(tx, cartEvents({ caller, cart, op, before, after, variants, now }));
    await notifyCart(tx, workspaceId, ids, caller.writer);
    return cart;
  });

}

/**
 * A code that cannot be used at all (unknown, used up, promotion over) is refused with 409
 * coupon_denied and its reason, and "Coupon Denied" goes on the timeline. A code that exists
 * but does not apply to this cart yet is kept on the cart (it applies once the cart qualifies).
 */
async function refuseDeniedCode(db: Database, caller: CartCaller, code: string): Promise<void> {
  const { denied } = await resolveCodes(db.orm, caller.workspaceId, [code]);
  const d = denied[0];
  if (!d) return;
  const [live] = await findTimelineProfileIds(db.orm, caller.workspaceId, caller.profileId);
  if (live) {
    await recordCouponEvents(db.orm, {
      workspaceId: caller.workspaceId,
      profileId: live,
      channelType: caller.channel.type,
      sourceId: caller.channel.sourceId,
      cartId: null,
      outcomes: [{ code: d.code, applied: false, reason: d.reason }],
    });
  }
  throw new AppError('coupon_denied', d.message, { coupon: d.code, reason: d.reason });
}

async function createCart(tx: Executor, c: { workspaceId: string; profileId: string; channel: SalesChannel; writer: string }): Promise<repo.CartRow> {
  const created = await repo.insertCart(tx, { workspaceId: c.workspaceId, id: newId('cart'), profileId: c.profileId, currency: c.channel.currency, channelId: c.channel.id, writers: [c.writer] });
  if (created) return created;
  // Another request created it first (PostgreSQL): take the row lock on theirs.
  const [theirs] = await repo.selectActiveCarts(tx, c.workspaceId, [c.profileId], { forUpdate: true });
  if (!theirs) throw new Error('cart insert conflicted but no active cart was found');
  return theirs;
}

async function variantBySku(ex: Executor, workspaceId: string, sku: string): Promise<CatalogVariant> {
  const v = (await findVariantsBySku(ex, workspaceId, [sku])).get(sku);
  if (!v) throw new AppError('unknown_sku', `Unknown SKU: ${sku}`, { skus: [sku], field: 'sku' });
  return v;
}

/** Can more of this variant go in a cart in this currency? */
function assertSellable(v: CatalogVariant, currency: string): void {
  const sku = v.sku;
  if (v.productStatus !== 'active') throw new AppError('product_unavailable', `${sku} is not on sale (its product is ${v.productStatus})`, { sku });
  if (v.currency !== currency) throw new AppError('currency_mismatch', `${sku} is priced in ${v.currency}, the cart is in ${currency}`, { sku, field: 'sku' });
}

async function variantsOf(ex: Executor, workspaceId: string, ids: string[], known: Map<string, CatalogVariant>): Promise<Map<string, CatalogVariant>> {
  const missing = ids.filter((id) => !known.has(id));
  const found = await getVariantsByIds(ex, workspaceId, missing);
  return new Map([...known, ...found]);
}

function sameQuantities(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function nextCheckout(state: CheckoutState, op: Extract<CartOp, { kind: 'checkout' }>, channel: SalesChannel, lineCount: number): CheckoutState {
  const history = [...state.history, stepEntry(op.step, channel)].slice(-50);
  if (op.step === 'cancelled') return { ...EMPTY_CHECKOUT, paymentFailures: state.paymentFailures, history };
  if (lineCount === 0) throw new AppError('cart_empty', 'The cart is empty: add something before checkout');
  const startedAt = state.startedAt ?? new Date().toISOString();
  switch (op.step) {
    case 'started':
      return { ...state, step: state.step === 'none' ? 'started' : state.step, startedAt, history };
    case 'shipping': {
      const address = op.address ?? null;
      if (op.fee !== undefined) {
        const known = channel.shippingMethods.find((m) => m.id === op.method);
        return { ...state, step: 'shipping', startedAt, shipping: { method: op.method, name: known?.name ?? op.method, fee: op.fee, freeAbove: null, custom: true, address }, history };
      }
      const m = channel.shippingMethods.find((x) => x.id === op.method);
      if (!m) {
        const offered = channel.shippingMethods.map((x) => x.id);
        throw new AppError(
          'invalid_field',
          offered.length > 0
            ? `method: "${op.method}" is not a shipping method of this channel; choose one of ${offered.join(', ')}`
            : `method: this channel has no shipping methods yet; the shop defines them on the channel (shippingMethods)`,
          { field: 'method', allowed: offered },
        );
      }
      return { ...state, step: 'shipping', startedAt, shipping: { method: m.id, name: m.name, fee: m.fee, freeAbove: m.freeAbove, custom: false, address }, history };
    }
    case 'payment':
      if (isCashOnDelivery(op) && !channel.cashOnDelivery) {
        throw new AppError('invalid_field', `method: this channel does not take cash on delivery`, { field: 'method' });
      }
      return { ...state, step: 'payment', startedAt, payment: { provider: op.provider, method: op.method }, history };
    case 'payment_failed': {
      const failure: PaymentFailure = { provider: op.provider, reason: op.reason, code: op.code ?? null, channelId: channel.id, at: new Date().toISOString() };
      return { ...state, step: 'payment_failed', startedAt, paymentFailures: [...state.paymentFailures, failure].slice(-20), history };
    }
  }
}

function productProps(v: CatalogVariant, price: number, quantity: number, currency: string): Record<string, unknown> {
  return { product_id: v.productId, variant_id: v.id, sku: v.sku, name: titleOf(v), price, quantity, currency, category_ids: v.categoryIds };
}

/** The Segment e-commerce events a change puts on the customer's timeline. */
function cartEvents(o: {
  caller: CartCaller;
  cart: Cart;
  op: CartOp;
  before: Map<string, number>;
  after: Map<string, number>;
  variants: Map<string, CatalogVariant>;
  now: Date;
}): RecordedEvent[] {
  const { caller, cart, op, now } = o;
  if (!cart.profileId) return [];
  const base = { workspaceId: caller.workspaceId, profileId: cart.profileId, channel: caller.channel.type, sourceId: caller.channel.sourceId, timestamp: now };
  const out: RecordedEvent[] = [];
  const push = (event: string, properties: Record<string, unknown>) =>
    out.push({ ...base, messageId: `cart:${cart.id}:v${cart.version}:${out.length}`, event, properties: { cart_id: cart.id, channel_id: caller.channel.id, ...properties } });
  const keys = new Set([...o.before.keys(), ...o.after.keys()]);
  for (const id of keys) {
    const diff = (o.after.get(id) ?? 0) - (o.before.get(id) ?? 0);
    const v = o.variants.get(id);
    if (diff === 0 || !v) continue;
    push(diff > 0 ? 'Product Added' : 'Product Removed', productProps(v, priceFor(v, caller.channel.id), Math.abs(diff), cart.currency));
  }
  if (op.kind === 'addCode' || op.kind === 'removeCode') {
    const code = normalizeCode(op.code);
    const outcome = cart.codes.find((c) => c.code === code);
    if (op.kind === 'removeCode') push('Coupon Removed', { coupon_id: code, coupon_name: code });
    else if (outcome?.status === 'applied') {
      const amount = cart.promotions.find((p) => p.promotionId === outcome.promotionId)?.amount ?? 0;
      push('Coupon Applied', { coupon_id: code, coupon_name: code, promotion_id: outcome.promotionId, discount: amount });
    } else push('Coupon Denied', { coupon_id: code, coupon_name: code, promotion_id: outcome?.promotionId ?? null, reason: outcome?.reason ?? 'not_applied', message: outcome?.message ?? null });
    return out;
  }
  if (op.kind !== 'checkout') return out;
  const products = cart.lines.map((l) => ({ product_id: l.productId, variant_id: l.variantId, sku: l.sku, name: l.title, price: l.unitPrice, quantity: l.quantity }));
  const checkout = { checkout_id: cart.id, currency: cart.currency };
  switch (op.step) {
    case 'started':
      push('Checkout Started', { ...checkout, value: cart.subtotal, revenue: cart.subtotal, shipping: cart.shippingTotal, discount: cart.discountTotal, products });
      break;
    case 'shipping':
      push('Checkout Step Completed', { ...checkout, step: 2, shipping_method: op.method });
      break;
    case 'payment':
      push('Payment Info Entered', { ...checkout, step: 3, shipping_method: cart.checkout.shipping?.method ?? null, payment_method: op.method, provider: op.provider });
      break;
    case 'payment_failed':
      push('Payment Failed', { ...checkout, provider: op.provider, reason: op.reason, code: op.code ?? null, value: cart.total });
      break;
    case 'cancelled':
      push('Checkout Cancelled', checkout);
      break;
  }
  return out;
}

/**
 * "Cart Viewed" on the timeline, once per cart version per channel (polling does not flood the
 * timeline). Empty carts are not recorded.
 */
export async function recordCartViewed(ex: Executor, cart: Cart, channel: SalesChannel, workspaceId: string): Promise<void> {
  if (!cart.id || !cart.profileId || cart.lines.length === 0) return;
  await recordEvents(ex, [
    {
      workspaceId,
      profileId: cart.profileId,
      messageId: `cart:${cart.id}:v${cart.version}:viewed:${channel.id}`,
      event: 'Cart Viewed',
      properties: {
        cart_id: cart.id,
        channel_id: channel.id,
        currency: cart.currency,
        value: cart.subtotal,
        products: cart.lines.map((l) => ({ product_id: l.productId, variant_id: l.variantId, sku: l.sku, name: l.title, price: l.unitPrice, quantity: l.quantity })),
      },
      channel: channel.type,
      sourceId: channel.sourceId,
      timestamp: new Date(),
    },
  ]);
}

/**
 * For checkout: lock the customer's active cart and return it with its lines, or the cart
 * closed by an earlier checkout. The caller turns it into an order in the same transaction and
 * then calls `closeCart`.
 */
export async function lockCartForCheckout(
  tx: Executor,
  opts: { workspaceId: string; profileId: string; channel: SalesChannel; actor: string; expectedVersion?: number },
): Promise<{ cart: Cart; profileIds: string[] }> {
  const ids = await getTimelineProfileIds(tx, opts.workspaceId, opts.profileId);
  const row = await lockCart(tx, opts.workspaceId, ids, opts.actor);
  const cart = await toCart(tx, opts.workspaceId, ids[0]!, row, opts.channel);
  if (opts.expectedVersion !== undefined && opts.expectedVersion !== cart.version) {
    throw new AppError('cart_conflict', `The cart changed: it is at version ${cart.version}, the checkout was made against ${opts.expectedVersion}`, {
      currentVersion: cart.version,
      cart,
    });
  }
  if (!row || cart.lines.length === 0) throw new AppError('cart_empty', 'The cart is empty: nothing to order');
  if (row.currency !== opts.channel.currency) {
    throw new AppError('currency_mismatch', `The cart is in ${row.currency}; channel ${opts.channel.id} sells in ${opts.channel.currency}`, { field: 'channelId' });
  }
  return { cart, profileIds: ids };
}

/** Close a cart that became an order; live subscribers see it close. */
export async function closeCart(tx: Executor, opts: { workspaceId: string; cartId: string; orderId: string; channel: SalesChannel; profileIds: string[] }): Promise<Cart> {
  const row = await repo.selectCart(tx, opts.workspaceId, opts.cartId);
  if (!row) throw new AppError('cart_not_found', `Cart ${opts.cartId} not found`);
  const checkout = { ...checkoutOf(row), reservedUntil: null, history: [...checkoutOf(row).history, stepEntry('ordered', opts.channel)].slice(-50) };
  const updated = await repo.updateCart(tx, opts.workspaceId, opts.cartId, { status: 'ordered', orderId: opts.orderId, channelId: opts.channel.id, checkout });
  await notifyCart(tx, opts.workspaceId, opts.profileIds);
  return toCart(tx, opts.workspaceId, updated.profile_id, updated, opts.channel);
}

/** Erasure: the carts of these profiles go with them. */
export async function deleteCartsOfProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<number> {
  for (const c of await repo.selectActiveCarts(ex, workspaceId, profileIds, { forUpdate: true })) {
    await releaseReservations(ex, { workspaceId, holder: cartHolder(c.id), actor: 'system:erasure' });
  }
  return repo.deleteCartsOfProfiles(ex, workspaceId, profileIds);
}

/**
 * Merge carts when identity resolution merges profiles (a guest signs in): consumed from the
 * domain log, in the consumer's transaction. Reads that come first merge lazily (getCart).
 */
export function startCartMergeConsumer(db: Database, log: FastifyBaseLogger): Promise<Consumer> {
  return startConsumer({
    db,
    log,
    name: 'carts.merge',
    handle: async (tx, entries) => {
      for (const e of entries) {
        if (e.type !== 'profile.merged' || !e.profileId) continue;
        const ids = await findTimelineProfileIds(tx, e.workspaceId, e.profileId); // [] if erased since
        if (ids.length > 0) await lockCart(tx, e.workspaceId, ids, 'system:merge');
      }
    },
  });
}

