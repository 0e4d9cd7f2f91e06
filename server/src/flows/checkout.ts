/**
 * Checkout: the customer's cart becomes an order in one transaction. The units held for the
 * cart become a sale (lines whose hold expired take stock directly, and may then be refused
 * with 409 insufficient_stock), the order records its lines at the cart's prices, the cart
 * closes, and "Order Completed" lands on the timeline. The idempotency key makes retries safe:
 * the same key answers with the same order, also when two retries race.
 */
import type { Database } from '../db/client';
import { AppError } from '../platform/errors';
import { newId } from '../platform/ids';
import type { SalesChannel } from '../modules/catalog';
import { cartHolder, closeCart, lockCartForCheckout, paymentMethodOf } from '../modules/carts';
import { convertReservations, takeStock } from '../modules/inventory';
import { createOrder, findOrder, setLineLocations, type Order } from '../modules/orders';
import { getVariantsByIds } from '../modules/catalog';
import { priceForOrder, recordRedemptions } from '../modules/promotions';

export interface CheckoutInput {
  workspaceId: string;
  profileId: string;
  channel: SalesChannel;
  actor: string;
  idempotencyKey: string;
  expectedVersion?: number;
  /** The total the shopper was shown; a different total now gets 409 price_changed. */
  expectedTotal?: number;
  /** Admin API only: the payment already succeeded. A storefront's order is always placed (awaiting payment, or cash on delivery). */
  status?: 'placed' | 'paid';
}

/** Idempotency keys are per workspace; the channel is part of the stored key so two storefronts cannot collide. */
const storedKey = (channelId: string, key: string): string => `${channelId}:${key}`;

export async function checkoutCart(db: Database, input: CheckoutInput): Promise<{ order: Order; created: boolean }> {
  const { workspaceId, channel } = input;
  if (channel.archivedAt) throw new AppError('validation_failed', `channelId: channel ${channel.id} is archived`, { field: 'channelId' });
  const key = storedKey(channel.id, input.idempotencyKey);
  const existing = await findOrder(db.orm, { workspaceId, channelId: channel.id, idempotencyKey: key });
  if (existing) return { order: existing, created: false };

  return db.orm
    .transaction(async (tx) => {
      const { cart, profileIds } = await lockCartForCheckout(tx, {
        workspaceId,
        profileId: input.profileId,
        channel,
        actor: input.actor,
        expectedVersion: input.expectedVersion,
      });
      const cartId = cart.id!;
      const variants = await getVariantsByIds(tx, workspaceId, cart.lines.map((l) => l.variantId));
      const priced = await priceForOrder(
        tx,
        {
          workspaceId,
          profileId: cart.profileId,
          channel,
          lines: cart.lines.flatMap((l) => {
            const variant = variants.get(l.variantId);
            return variant ? [{ variant, quantity: l.quantity, unitPrice: l.unitPrice }] : [];
          }),
          codes: cart.codes.map((c) => c.code),
          shippingFee: cart.shippingTotal,
        },
        cart.promotions.map((p) => p.promotionId),
      );
      // A code the shopper entered must still apply now (a single-use code may just have gone
      // to another order); and when the client says what total it showed, that is the total.
      const lostCodes = priced.codes.filter((c) => c.status !== 'applied');
      if (lostCodes.length > 0) {
        throw new AppError('promotion_unavailable', `Code ${lostCodes.map((c) => c.code).join(', ')} cannot be used now: ${lostCodes[0]!.message ?? 'it no longer applies'}`, {
          coupons: lostCodes.map((c) => ({ coupon: c.code, reason: c.reason })),
        });
      }
      if (input.expectedTotal !== undefined && input.expectedTotal !== priced.result.total) {
        throw new AppError('price_changed', `The total is now ${priced.result.total}, not ${input.expectedTotal}: show the cart again`, { total: priced.result.total });
      }
      const discountOf = new Map(priced.result.lines.map((l) => [l.variantId, l.discount]));
      const orderId = newId('ord');
      const firstLocation = channel.locations[0]?.id ?? '';
      const result = await createOrder(tx, {
        workspaceId,
        id: orderId,
        channelId: channel.id,
        channelType: channel.type,
        storeLocationId: channel.type === 'pos' ? firstLocation : null,
        externalId: null,
        idempotencyKey: key,
        profileId: cart.profileId,
        cartId,
        status: input.status ?? 'placed',
        paymentMethod: paymentMethodOf(cart, channel),
        currency: cart.currency,
        discountTotal: priced.result.discountTotal,
        shippingTotal: priced.result.shippingFee - priced.result.shippingDiscount,
        placedAt: new Date(),
        sourceId: channel.sourceId,
        actor: input.actor,
        lines: cart.lines.map((l) => ({
          variantId: l.variantId,
          productId: l.productId,
          sku: l.sku,
          title: l.title,
          categoryIds: variants.get(l.variantId)?.categoryIds ?? [],
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discount: discountOf.get(l.variantId) ?? 0,
          locationId: firstLocation,
        })),
      });
      if (!result.created) throw new RepeatedCheckout(result.order);
      await recordRedemptions(tx, {
        workspaceId,
        orderId,
        profileId: cart.profileId,
        channelId: channel.id,
        orderTotal: result.order.total,
        applied: priced.result.applied.map((a) => ({ promotionId: a.promotionId, amount: a.amount, code: a.code })),
      });

      // Held units become the sale; whatever is not held (expired, or never reserved) is taken now.
      const converted = await convertReservations(tx, { workspaceId, holder: cartHolder(cartId), orderId, actor: input.actor });
      const held = new Map<string, number>();
      const locationOf = new Map<string, string>();
      for (const c of converted) {
        held.set(c.variantId, (held.get(c.variantId) ?? 0) + c.quantity);
        locationOf.set(c.variantId, c.locationId);
      }
      const rest = cart.lines
        .map((l) => ({ variantId: l.variantId, sku: l.sku, quantity: l.quantity - (held.get(l.variantId) ?? 0) }))
        .filter((l) => l.quantity > 0);
      if (rest.length > 0) {
        const taken = await takeStock(tx, { workspaceId, channel, lines: rest, actor: input.actor, ref: orderId });
        for (const t of taken) if (!locationOf.has(t.variantId)) locationOf.set(t.variantId, t.locationId);
      }
      // Held more than the cart now has (a line was reduced after the hold): give the surplus back.
      const surplus = [...held].filter(([variantId, q]) => q > (cart.lines.find((l) => l.variantId === variantId)?.quantity ?? 0));
      if (surplus.length > 0) throw new Error(`cart ${cartId} held more units than it orders: ${surplus.map(([v]) => v).join(', ')}`);

      const moved = new Map([...locationOf].filter(([, loc]) => loc !== firstLocation));
      const order = moved.size > 0 ? await setLineLocations(tx, workspaceId, orderId, moved) : result.order;
      await closeCart(tx, { workspaceId, cartId, orderId, channel, profileIds });
      return { order, created: true };
    })
    .catch(async (err: unknown) => {
      if (err instanceof RepeatedCheckout) return { order: err.order, created: false };
      // A concurrent retry with the same key won while this one waited on the cart's lock: its
      // cart is closed now, so answer with its order.
      if (err instanceof AppError && (err.code === 'cart_empty' || err.code === 'cart_conflict')) {
        const won = await findOrder(db.orm, { workspaceId, channelId: channel.id, idempotencyKey: key });
        if (won) return { order: won, created: false };
      }
      throw err;
    });
}

class RepeatedCheckout extends Error {
  constructor(readonly order: Order) {
    super('checkout already placed');
  }
}
