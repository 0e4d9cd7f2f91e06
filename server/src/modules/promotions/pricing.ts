/**
 * One price for every channel: the cart, a POS order, the admin quote and the offers endpoint
 * all come here with (customer, channel, lines, codes), and the engine answers from the same
 * rules and the same customer facts. A channel never has its own discount logic.
 */
import type { Executor } from '../../db/client';
import type { CatalogVariant, SalesChannel } from '../catalog';
import { getPurchaseFacts } from '../orders';
import { findTimelineProfileIds, getTraitsForPricing } from '../profiles';
import { getWorkspace } from '../workspaces';
import { offersFor, priceCart } from './engine';
import type { CustomerFacts, Offer, PricingLine, PricingResult, PromotionNeed, PromotionRule } from './promotions.types';
import { hasLiveRules, loadRules, lockCodes, resolveCodes, type DeniedCode } from './promotions.service';

export interface PriceInput {
  workspaceId: string;
  /** Any id of the customer's profile; null for an unknown shopper. */
  profileId: string | null;
  /** The customer's timeline ids (survivor first), when the caller has them already. */
  profileIds?: string[];
  channel: Pick<SalesChannel, 'id' | 'type' | 'currency'>;
  lines: { variant: CatalogVariant; quantity: number; unitPrice: number }[];
  codes: string[];
  shippingFee: number;
  now?: Date;
  /** At order time: lock these promotions' rows so their counters are exact. */
  lockPromotionIds?: string[];
  /** `ex` is the pool (not a transaction): independent reads may run at once. */
  concurrentReads?: boolean;
}

export interface CodeOutcome {
  code: string;
  status: 'applied' | 'not_applied' | 'denied';
  promotionId: string | null;
  reason: string | null;
  message: string | null;
  /** `message` in machine-readable form (empty when the code applied). */
  needs: PromotionNeed[];
}

export interface Priced {
  result: PricingResult;
  codes: CodeOutcome[];
  rules: PromotionRule[];
  customer: CustomerFacts;
}

const NO_HISTORY: Omit<CustomerFacts, 'profileId'> = { traits: {}, selfReported: {}, totalSpent: 0, orderCount: 0, lastStoreLocationId: null, lastBoughtByCategory: {} };

/** What the engine needs to know about a customer, from every channel's history. */
export async function customerFacts(
  ex: Executor,
  workspaceId: string,
  profileId: string | null,
  knownIds?: string[],
  /** The reads may run at once (a pool, not a transaction's one connection). */
  concurrent = false,
): Promise<{ facts: CustomerFacts; profileIds: string[] }> {
  if (!profileId) return { facts: { profileId: null, ...NO_HISTORY }, profileIds: [] };
  const ids = knownIds ?? (await findTimelineProfileIds(ex, workspaceId, profileId));
  const live = ids[0];
  if (!live) return { facts: { profileId: null, ...NO_HISTORY }, profileIds: [] };
  // Inside a transaction the reads share one connection: one after another.
  const [traits, purchases] = concurrent
    ? await Promise.all([getTraitsForPricing(ex, workspaceId, live), getPurchaseFacts(ex, workspaceId, ids)])
    : [await getTraitsForPricing(ex, workspaceId, live), await getPurchaseFacts(ex, workspaceId, ids)];
  // Only trusted values decide a promotion; what a browser claims is kept to explain a refusal.
  return {
    facts: { profileId: live, traits: traits.trusted, selfReported: traits.selfReported, ...purchases },
    profileIds: ids,
  };
}

function pricingLines(lines: PriceInput['lines']): PricingLine[] {
  return lines.map((l) => ({
    variantId: l.variant.id,
    productId: l.variant.productId,
    sku: l.variant.sku,
    name: l.variant.title ? `${l.variant.productTitle} — ${l.variant.title}` : l.variant.productTitle,
    categoryIds: l.variant.categoryIds,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
  }));
}

export async function price(ex: Executor, input: PriceInput): Promise<Priced> {
  const now = input.now ?? new Date();
  const workspace = await getWorkspace(ex, input.workspaceId);
  const live = input.codes.length > 0 || (await hasLiveRules(ex, input.workspaceId));
  const { facts, profileIds } = await customerFacts(ex, input.workspaceId, live ? input.profileId : null, input.profileIds, input.concurrentReads);
  const codes = input.codes.length > 0 ? await resolveCodes(ex, input.workspaceId, input.codes, now) : { valid: [], denied: [] as DeniedCode[] };
  const rules = await loadRules(ex, { workspaceId: input.workspaceId, profileIds, now, ...(input.lockPromotionIds ? { lockIds: input.lockPromotionIds } : {}) });
  const result = priceCart({
    lines: pricingLines(input.lines),
    promotions: rules,
    customer: facts,
    ctx: { channelId: input.channel.id, channelType: input.channel.type, now, timeZone: workspace.timeZone, currency: input.channel.currency, shippingFee: input.shippingFee, codes: codes.valid },
  });
  const applied = new Set(result.applied.map((a) => a.code).filter((c): c is string => c !== null));
  const outcomes: CodeOutcome[] = [
    ...codes.valid.map((c): CodeOutcome => {
      if (applied.has(c.code)) return { code: c.code, status: 'applied', promotionId: c.promotionId, reason: null, message: null, needs: [] };
      const why = result.notApplied.find((n) => n.promotionId === c.promotionId);
      return {
        code: c.code,
        status: 'not_applied',
        promotionId: c.promotionId,
        reason: why?.reason ?? 'not_applied',
        message: why?.message ?? 'The promotion does not apply to this cart',
        needs: why?.needs ?? [],
      };
    }),
    ...codes.denied.map((d): CodeOutcome => ({ code: d.code, status: 'denied', promotionId: null, reason: d.reason, message: d.message, needs: [d.need] })),
  ];
  return { result, codes: outcomes, rules, customer: facts };
}

/** What this customer can get now on this channel (with their current cart, when given). */
export async function offers(ex: Executor, input: Omit<PriceInput, 'codes' | 'lockPromotionIds'>): Promise<Offer[]> {
  const now = input.now ?? new Date();
  const workspace = await getWorkspace(ex, input.workspaceId);
  const { facts, profileIds } = await customerFacts(ex, input.workspaceId, input.profileId, input.profileIds, input.concurrentReads);
  const rules = await loadRules(ex, { workspaceId: input.workspaceId, profileIds, now });
  return offersFor({
    lines: pricingLines(input.lines),
    promotions: rules,
    customer: facts,
    ctx: { channelId: input.channel.id, channelType: input.channel.type, now, timeZone: workspace.timeZone, currency: input.channel.currency, shippingFee: input.shippingFee, codes: [] },
  });
}

/**
 * Price for an order, in the order's transaction, holding the row locks of the promotions (and
 * codes) it uses, so their limits and budgets are read and counted by one order at a time. If
 * the locked counters change the outcome (the last use went to another order), price again with
 * the new set locked too. `expected` are the promotions the shopper was shown.
 */
export async function priceForOrder(tx: Executor, input: Omit<PriceInput, 'lockPromotionIds'>, expected: string[] = []): Promise<Priced> {
  if (input.codes.length > 0) await lockCodes(tx, input.workspaceId, input.codes);
  let locked = new Set(expected);
  for (let round = 0; ; round++) {
    const priced = await price(tx, { ...input, lockPromotionIds: [...locked] });
    const wanted = priced.result.applied.map((a) => a.promotionId);
    if (wanted.every((id) => locked.has(id)) || round === 3) return priced;
    locked = new Set([...locked, ...wanted]);
  }
}
