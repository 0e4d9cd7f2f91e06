/**
 * Ask the one pricing engine from anywhere:
 *  - `POST /api/v1/pricing/quote`: price lines for a customer on a channel (POS before the sale,
 *    the chatbot, the salesperson) — the same amounts the cart and checkout give;
 *  - `GET /api/v1/profiles/{id}/offers?channel=`: what this customer can get now on that
 *    channel, what they already meet and what is still missing, each saving in money — for
 *    email and Zalo content, the chatbot, POS and the agent's sidebar.
 */
import { Type } from 'typebox';
import type { AdminGuard, App, AppContext } from '../platform/context';
import { adminWorkspace } from '../platform/context';
import { AppError } from '../platform/errors';
import { ErrorResponse, Nullable } from '../platform/schema';
import { findVariantsBySku, getChannelCached, priceFor } from '../modules/catalog';
import { getCart } from '../modules/carts';
import { findTimelineProfileIds, getProfile } from '../modules/profiles';
import { offers, price, PromotionNeedSchema, PromotionNeedsSchema } from '../modules/promotions';

const QuoteBody = Type.Object(
  {
    channelId: Type.String({ minLength: 1, maxLength: 100 }),
    profileId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The customer (absent: an unknown shopper).' })),
    lines: Type.Array(Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }), quantity: Type.Integer({ minimum: 1, maximum: 9999 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 500,
    }),
    codes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 10 })),
    shippingFee: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Minor units, at most 100 billion like every amount.' })),
    explain: Type.Optional(Type.Boolean({ description: 'Also list the promotions that did not apply, and why.' })),
  },
  { additionalProperties: false },
);

const Applied = Type.Object({ promotionId: Type.String(), name: Type.String(), amount: Type.Integer(), code: Nullable(Type.String()), description: Type.String() });
const NotAppliedSchema = Type.Object({
  promotionId: Type.String(),
  name: Type.String(),
  reason: Type.String(),
  message: Type.String({ description: 'Why, in English words (see `needs` for the machine-readable form).' }),
  needs: PromotionNeedsSchema,
  missing: Type.Optional(Type.Object({ spend: Type.Optional(Type.Integer()), saving: Type.Optional(Type.Integer()), items: Type.Optional(Type.Integer()) })),
});

const QuoteSchema = Type.Object({
  currency: Type.String(),
  subtotal: Type.Integer(),
  discountTotal: Type.Integer(),
  shippingFee: Type.Integer(),
  shippingDiscount: Type.Integer(),
  total: Type.Integer(),
  lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer(), unitPrice: Type.Integer(), discount: Type.Integer(), total: Type.Integer() })),
  promotions: Type.Array(Applied),
  notApplied: Type.Optional(Type.Array(NotAppliedSchema)),
  codes: Type.Array(
    Type.Object({ code: Type.String(), status: Type.String(), promotionId: Nullable(Type.String()), reason: Nullable(Type.String()), message: Nullable(Type.String()), needs: PromotionNeedsSchema }),
  ),
  gifts: Type.Array(Type.Object({ variantId: Type.String(), quantity: Type.Integer(), promotionId: Type.String() })),
});

const OfferSchema = Type.Object({
  promotionId: Type.String(),
  name: Type.String(),
  requiresCode: Type.Boolean(),
  eligible: Type.Boolean(),
  saving: Type.Integer({ description: 'What it saves on the current cart now (money).' }),
  potentialSaving: Type.Integer({ description: 'What it would save once the missing conditions are met (money).' }),
  conditionsMet: Type.Array(Type.String(), { description: 'Conditions already met, in English words.' }),
  met: Type.Array(PromotionNeedSchema, { description: '`conditionsMet` in machine-readable form, entry for entry.' }),
  missing: Type.Array(Type.String(), { description: 'What is still needed, in English words, e.g. "add 150.000 ₫ more to get 100.000 ₫ off".' }),
  needs: Type.Array(PromotionNeedSchema, { description: '`missing` in machine-readable form, entry for entry.' }),
  message: Type.String(),
});

export function pricingRoutes(ctx: AppContext, guard: AdminGuard) {
  const orm = ctx.db.orm;
  return async function routes(app: App) {
    app.addHook('onRequest', guard);

    app.post('/api/v1/pricing/quote', {
      config: { permission: 'pricing.quote' },
      schema: {
        tags: ['promotions'],
        summary: 'Price lines for a customer on a channel with every promotion (what POS, chatbot and salespeople show)',
        body: QuoteBody,
        response: { 200: QuoteSchema, 400: ErrorResponse, 404: ErrorResponse },
      },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      const b = req.body;
      const [channel, profileIds, variants] = await Promise.all([
        getChannelCached(orm, workspaceId, b.channelId),
        b.profileId ? findTimelineProfileIds(orm, workspaceId, b.profileId) : Promise.resolve([]),
        findVariantsBySku(orm, workspaceId, b.lines.map((l) => l.sku)),
      ]);
      if (b.profileId && profileIds.length === 0) throw new AppError('profile_not_found', `Profile ${b.profileId} not found`, { id: b.profileId });
      const profileId = profileIds[0] ?? null;
      const unknown = [...new Set(b.lines.map((l) => l.sku).filter((sku) => !variants.has(sku)))];
      if (unknown.length > 0) throw new AppError('unknown_sku', `Unknown SKU${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { skus: unknown });
      const merged = new Map<string, number>();
      for (const l of b.lines) merged.set(l.sku, (merged.get(l.sku) ?? 0) + l.quantity);
      const lines = [...merged].map(([sku, quantity]) => {
        const variant = variants.get(sku)!;
        return { variant, quantity, unitPrice: priceFor(variant, channel.id) };
      });
      const priced = await price(orm, { workspaceId, profileId, ...(profileId ? { profileIds } : {}), channel, lines, codes: b.codes ?? [], shippingFee: b.shippingFee ?? 0, concurrentReads: true });
      const r = priced.result;
      const discountOf = new Map(r.lines.map((l) => [l.variantId, l.discount]));
      return {
        currency: channel.currency,
        subtotal: r.subtotal,
        discountTotal: r.discountTotal,
        shippingFee: r.shippingFee,
        shippingDiscount: r.shippingDiscount,
        total: r.total,
        lines: lines.map((l) => {
          const discount = discountOf.get(l.variant.id) ?? 0;
          return { sku: l.variant.sku, quantity: l.quantity, unitPrice: l.unitPrice, discount, total: l.unitPrice * l.quantity - discount };
        }),
        promotions: r.applied,
        ...(b.explain ? { notApplied: r.notApplied } : {}),
        codes: priced.codes,
        gifts: r.gifts,
      };
    });

    app.get('/api/v1/profiles/:id/offers', {
      config: { permission: 'profiles.read' },
      schema: {
        tags: ['promotions'],
        summary: 'What this customer can get now on a channel: conditions met, what is missing, the saving in money',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        querystring: Type.Object({ channel: Type.String({ minLength: 1, maxLength: 100, description: 'The channel id.' }) }),
        response: { 200: Type.Object({ profileId: Type.String(), channelId: Type.String(), currency: Type.String(), data: Type.Array(OfferSchema) }), 400: ErrorResponse, 404: ErrorResponse },
      },
    }, async (req) => {
      const workspaceId = adminWorkspace(req);
      const channel = await getChannelCached(orm, workspaceId, req.query.channel);
      const profile = await getProfile(orm, workspaceId, req.params.id);
      // With their current cart, offers speak of this cart ("add 150.000 ₫ more …").
      const cart = await getCart(ctx.db, { workspaceId, profileId: profile.id, channel });
      const variants = await findVariantsBySku(orm, workspaceId, cart.lines.map((l) => l.sku));
      const lines = cart.lines.flatMap((l) => {
        const variant = variants.get(l.sku);
        return variant ? [{ variant, quantity: l.quantity, unitPrice: l.unitPrice }] : [];
      });
      const data = await offers(orm, { workspaceId, profileId: profile.id, channel, lines, shippingFee: cart.shippingTotal, concurrentReads: true });
      return { profileId: profile.id, channelId: channel.id, currency: channel.currency, data };
    });
  };
}
