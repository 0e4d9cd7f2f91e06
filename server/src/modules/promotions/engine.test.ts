import { describe, expect, it } from 'vitest';
import { evaluateCondition, offersFor, priceCart, splitProportionally } from './engine';
import { PROMOTION_NEED_CODES, type Condition, type CustomerFacts, type PricingContext, type PricingLine, type PricingResult, type PromotionNeed, type PromotionRule, type Reward } from './promotions.types';

// Tuesday 2026-03-10, 12:00 in Asia/Ho_Chi_Minh (UTC+7).
const NOW = new Date('2026-03-10T05:00:00Z');
const DAY = 86_400_000;

/** Intl's vi-VN currency format puts a no-break space before ₫. */
function vnd(text: string): string {
  return text.replace(/ ₫/g, '\u00a0₫');
}

function line(variantId: string, unitPrice: number, quantity: number, extra: Partial<PricingLine> = {}): PricingLine {
  return { variantId, productId: `p_${variantId}`, sku: variantId.toUpperCase(), categoryIds: [], quantity, unitPrice, ...extra };
}

function promo(id: string, reward: Reward, extra: Partial<PromotionRule> = {}): PromotionRule {
  return {
    id,
    name: id,
    priority: 0,
    stacking: 'combinable',
    requiresCode: false,
    reward,
    conditions: null,
    startsAt: null,
    endsAt: null,
    status: 'active',
    usesLeft: null,
    customerUsesLeft: null,
    budgetLeft: null,
    ...extra,
  };
}

function customerWith(extra: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    profileId: 'prof_1',
    traits: {},
    totalSpent: 0,
    orderCount: 3,
    lastStoreLocationId: null,
    lastBoughtByCategory: {},
    ...extra,
  };
}

function context(extra: Partial<PricingContext> = {}): PricingContext {
  return {
    channelId: 'ch_web',
    channelType: 'web',
    now: NOW,
    timeZone: 'Asia/Ho_Chi_Minh',
    currency: 'VND',
    shippingFee: 0,
    codes: [],
    ...extra,
  };
}

function price(lines: PricingLine[], promotions: PromotionRule[], opts: { customer?: CustomerFacts; ctx?: Partial<PricingContext> } = {}): PricingResult {
  return priceCart({ lines, promotions, customer: opts.customer ?? customerWith(), ctx: context(opts.ctx) });
}

function reasonOf(result: PricingResult, promotionId: string) {
  return result.notApplied.find((n) => n.promotionId === promotionId);
}

function appliedIds(result: PricingResult): string[] {
  return result.applied.map((a) => a.promotionId);
}

/** Totals must always agree with the lines. */
function expectConsistent(result: PricingResult): void {
  const discount = result.lines.reduce((s, l) => s + l.discount, 0);
  expect(result.discountTotal).toBe(discount);
  for (const l of result.lines) expect(l.byPromotion.reduce((s, b) => s + b.amount, 0)).toBe(l.discount);
  const appliedSum = result.applied.reduce((s, a) => s + a.amount, 0);
  expect(appliedSum).toBe(result.discountTotal + result.shippingDiscount);
  expect(result.total).toBe(Math.max(0, result.subtotal - result.discountTotal + result.shippingFee - result.shippingDiscount));
  expect(result.total).toBeGreaterThanOrEqual(0);
}

const BOGO: Reward = {
  type: 'buy_x_get_y',
  buy: { items: { scope: 'categories', categoryIds: ['cat_tee'] }, quantity: 1 },
  get: { items: { scope: 'categories', categoryIds: ['cat_tee'] }, quantity: 1, percent: 100 },
};

const tee = (variantId: string, unitPrice: number, quantity: number) => line(variantId, unitPrice, quantity, { categoryIds: ['cat_tee'], name: `Áo thun ${variantId}` });

describe('priceCart', () => {
  describe('when the promotion is "Mua 1 tặng 1" (buy 1 get 1 free, same items)', () => {
    it.each([
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
    ])('with %i units of one item gives %i free', (quantity, free) => {
      const result = price([tee('v1', 100_000, quantity)], [promo('bogo', BOGO, { name: 'Mua 1 tặng 1' })]);
      expect(result.subtotal).toBe(100_000 * quantity);
      expect(result.discountTotal).toBe(100_000 * free);
      expect(result.total).toBe(100_000 * (quantity - free));
      expectConsistent(result);
    });

    it('with 1 unit says one more item is missing', () => {
      const result = price([tee('v1', 100_000, 1)], [promo('bogo', BOGO)]);
      expect(reasonOf(result, 'bogo')).toMatchObject({ reason: 'nothing_to_discount', missing: { items: 1 } });
    });

    it('makes the cheapest units free when prices are mixed (4 units → the 2 cheapest)', () => {
      const result = price([tee('a', 300_000, 1), tee('b', 200_000, 1), tee('c', 100_000, 2)], [promo('bogo', BOGO)]);
      expect(result.lines.map((l) => l.discount)).toEqual([0, 0, 200_000]);
    });

    it('makes only the cheapest unit free with 3 mixed units', () => {
      const result = price([tee('a', 300_000, 1), tee('c', 100_000, 1), tee('b', 200_000, 1)], [promo('bogo', BOGO)]);
      expect(result.lines.map((l) => l.discount)).toEqual([0, 100_000, 0]);
    });

    it('with 5 mixed units frees the 2 cheapest, across lines', () => {
      const result = price([tee('a', 50_000, 1), tee('b', 80_000, 3), tee('c', 60_000, 1)], [promo('bogo', BOGO)]);
      // Units: 50k, 60k, 80k, 80k, 80k → free: 50k and 60k.
      expect(result.lines.map((l) => l.discount)).toEqual([50_000, 0, 60_000]);
    });

    it('describes what is free in plain words', () => {
      const result = price([tee('v1', 100_000, 2)], [promo('bogo', BOGO, { name: 'Mua 1 tặng 1' })]);
      expect(result.applied[0]?.description).toBe('Mua 1 tặng 1: 1 × Áo thun v1 free');
    });

    it('works with large quantities without expanding units', () => {
      const result = price([tee('v1', 10_000, 1_000_001)], [promo('bogo', BOGO)]);
      expect(result.discountTotal).toBe(500_000 * 10_000);
      expectConsistent(result);
    });

    it('stops at maxApplications', () => {
      const result = price([tee('v1', 100_000, 10)], [promo('bogo', { ...BOGO, maxApplications: 2 })]);
      expect(result.discountTotal).toBe(200_000);
    });
  });

  describe('when the promotion is buy 2 get 1 at 50%', () => {
    const reward: Reward = {
      type: 'buy_x_get_y',
      buy: { items: { scope: 'products', productIds: ['p_a', 'p_b'] }, quantity: 2 },
      get: { items: { scope: 'products', productIds: ['p_a', 'p_b'] }, quantity: 1, percent: 50 },
    };

    it('gives half off the one cheapest of 3 units', () => {
      const result = price([line('a', 90_000, 3)], [promo('b2g1', reward)]);
      expect(result.discountTotal).toBe(45_000);
      expect(result.applied[0]?.description).toBe('b2g1: 1 × A at 50% off');
    });

    it('gives half off the 2 cheapest of 6 units and applies once with 5', () => {
      const six = price([line('a', 100_000, 3), line('b', 60_000, 3)], [promo('b2g1', reward)]);
      expect(six.lines.map((l) => l.discount)).toEqual([0, 60_000]);
      const five = price([line('a', 100_000, 3), line('b', 60_000, 2)], [promo('b2g1', reward)]);
      expect(five.lines.map((l) => l.discount)).toEqual([0, 30_000]);
    });

    it('rounds a half đồng up', () => {
      const result = price([line('a', 10_001, 3)], [promo('b2g1', reward)]);
      expect(result.discountTotal).toBe(5_001);
    });
  });

  describe('when the buy and get items are different categories', () => {
    const reward: Reward = {
      type: 'buy_x_get_y',
      buy: { items: { scope: 'categories', categoryIds: ['cat_shirt'] }, quantity: 2 },
      get: { items: { scope: 'categories', categoryIds: ['cat_cap'] }, quantity: 1, percent: 100 },
    };
    const shirt = (q: number) => line('shirt', 200_000, q, { categoryIds: ['cat_shirt'] });
    const cap = (id: string, p: number, q: number) => line(id, p, q, { categoryIds: ['cat_cap'] });

    it('gives the cheapest cap free for 2 shirts', () => {
      const result = price([shirt(2), cap('cap80', 80_000, 1), cap('cap50', 50_000, 1)], [promo('combo', reward)]);
      expect(result.lines.map((l) => l.discount)).toEqual([0, 0, 50_000]);
    });

    it('gives 2 caps for 4 shirts, never a shirt', () => {
      const result = price([shirt(4), cap('cap80', 80_000, 1), cap('cap50', 50_000, 2)], [promo('combo', reward)]);
      expect(result.lines.map((l) => l.discount)).toEqual([0, 0, 100_000]);
    });

    it('does not count caps as bought shirts', () => {
      const result = price([shirt(1), cap('cap50', 50_000, 3)], [promo('combo', reward)]);
      expect(result.discountTotal).toBe(0);
      expect(reasonOf(result, 'combo')).toMatchObject({ reason: 'nothing_to_discount', missing: { items: 1 } });
    });

    it('matches items by variant', () => {
      const byVariant: Reward = {
        type: 'buy_x_get_y',
        buy: { items: { scope: 'variants', variantIds: ['shirt'] }, quantity: 1 },
        get: { items: { scope: 'variants', variantIds: ['cap50'] }, quantity: 1, percent: 50 },
      };
      const result = price([shirt(1), cap('cap80', 80_000, 1), cap('cap50', 50_000, 1)], [promo('v', byVariant)]);
      expect(result.lines.map((l) => l.discount)).toEqual([0, 0, 25_000]);
    });

    it('keeps buy units distinct when the get items are part of the buy items', () => {
      const overlapping: Reward = {
        type: 'buy_x_get_y',
        buy: { items: { scope: 'categories', categoryIds: ['cat_tee'] }, quantity: 1 },
        get: { items: { scope: 'variants', variantIds: ['cheap'] }, quantity: 1, percent: 100 },
      };
      // Two units of the get item alone: one is bought, one is free.
      expect(price([tee('cheap', 50_000, 2)], [promo('o', overlapping)]).discountTotal).toBe(50_000);
      // One unit of it alone: it cannot be both the bought and the free unit.
      expect(price([tee('cheap', 50_000, 1)], [promo('o', overlapping)]).discountTotal).toBe(0);
      // Bought: the dear tee; free: one cheap unit.
      expect(price([tee('dear', 300_000, 1), tee('cheap', 50_000, 1)], [promo('o', overlapping)]).discountTotal).toBe(50_000);
    });

    it('leaves enough shared units to be bought when the sets only partly overlap', () => {
      const partial: Reward = {
        type: 'buy_x_get_y',
        buy: { items: { scope: 'categories', categoryIds: ['cat_top'] }, quantity: 2 },
        get: { items: { scope: 'categories', categoryIds: ['cat_sale'] }, quantity: 2, percent: 100 },
      };
      const cart = [
        line('top_sale_1', 10_000, 1, { categoryIds: ['cat_top', 'cat_sale'] }),
        line('top_sale_2', 20_000, 2, { categoryIds: ['cat_top', 'cat_sale'] }),
        line('sale', 90_000, 2, { categoryIds: ['cat_sale'] }),
      ];
      // 3 shared units, 2 sale-only: 2 shared units must stay as the bought ones, so only one
      // shared unit (the cheapest) can be free, and the second free unit is a sale-only one.
      expect(price(cart, [promo('partial', partial)]).lines.map((l) => l.discount)).toEqual([10_000, 0, 90_000]);
    });
  });

  describe('when the promotion is a tiered spend', () => {
    const tiers: Reward = {
      type: 'tiered_spend',
      tiers: [
        { minSpend: 1_000_000, amountOff: 150_000 },
        { minSpend: 500_000, amountOff: 50_000 },
        { minSpend: 2_000_000, percentOff: 10 },
      ],
    };

    it.each([
      [499_999, 0],
      [500_000, 50_000],
      [750_000, 50_000],
      [999_999, 50_000],
      [1_000_000, 150_000],
      [2_500_000, 250_000],
    ])('with a subtotal of %i takes %i off', (subtotal, off) => {
      const result = price([line('a', subtotal, 1)], [promo('tier', tiers)]);
      expect(result.discountTotal).toBe(off);
    });

    it('one đồng below the first tier says what to spend and what it saves', () => {
      const result = price([line('a', 499_999, 1)], [promo('tier', tiers)]);
      expect(reasonOf(result, 'tier')).toEqual({
        promotionId: 'tier',
        name: 'tier',
        reason: 'nothing_to_discount',
        message: vnd(`spend 1 ₫ more to get 50.000 ₫ off`),
        needs: [{ code: 'spend_more', amount: 1, saving: 50_000 }],
        missing: { spend: 1, saving: 50_000 },
      });
    });

    it('counts only the target when it has one', () => {
      const onShoes: Reward = { type: 'tiered_spend', tiers: [{ minSpend: 500_000, amountOff: 50_000 }], target: { scope: 'categories', categoryIds: ['cat_shoe'] } };
      const cart = [line('shoe', 400_000, 1, { categoryIds: ['cat_shoe'] }), line('sock', 200_000, 1)];
      expect(price(cart, [promo('tier', onShoes)]).discountTotal).toBe(0);
      const more = [line('shoe', 500_000, 1, { categoryIds: ['cat_shoe'] }), line('sock', 200_000, 1)];
      expect(price(more, [promo('tier', onShoes)]).lines.map((l) => l.discount)).toEqual([50_000, 0]);
    });
  });

  describe('when the promotion is a percentage', () => {
    it('takes the percent off, capped at maxDiscount', () => {
      const cart = [line('a', 1_000_000, 3)];
      expect(price(cart, [promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' } })]).discountTotal).toBe(300_000);
      const capped = price(cart, [promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' }, maxDiscount: 200_000 })]);
      expect(capped.discountTotal).toBe(200_000);
      expect(capped.applied[0]?.description).toContain(vnd('200.000 ₫'));
    });

    it('rounds half up to whole đồng', () => {
      expect(price([line('a', 12_345, 1)], [promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' } })]).discountTotal).toBe(1_235);
      expect(price([line('a', 12_344, 1)], [promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' } })]).discountTotal).toBe(1_234);
    });

    it('splits over lines so the lines sum to the rounded total', () => {
      const cart = [line('a', 3_335, 1), line('b', 3_335, 1), line('c', 3_335, 1)];
      const result = price(cart, [promo('pct', { type: 'percentage', percent: 15, target: { scope: 'order' } })]);
      // 15% of 10.005 = 1.500,75 → 1.501; 500,25 each → 501 + 500 + 500.
      expect(result.lines.map((l) => l.discount)).toEqual([501, 500, 500]);
      expectConsistent(result);
    });

    it('discounts only the target products', () => {
      const result = price([line('a', 100_000, 1), line('b', 100_000, 1)], [promo('pct', { type: 'percentage', percent: 20, target: { scope: 'products', productIds: ['p_b'] } })]);
      expect(result.lines.map((l) => l.discount)).toEqual([0, 20_000]);
    });
  });

  describe('when the promotion is a fixed amount', () => {
    it('is capped at the cart value and the total is never negative', () => {
      const result = price([line('a', 300_000, 1)], [promo('fixed', { type: 'fixed', amount: 1_000_000, target: { scope: 'order' } })], { ctx: { shippingFee: 30_000 } });
      expect(result.discountTotal).toBe(300_000);
      expect(result.total).toBe(30_000);
      expectConsistent(result);
    });

    it('gives a total of 0, not below, with free shipping too', () => {
      const result = price(
        [line('a', 300_000, 1)],
        [promo('fixed', { type: 'fixed', amount: 1_000_000, target: { scope: 'order' } }), promo('ship', { type: 'free_shipping' })],
        { ctx: { shippingFee: 30_000 } },
      );
      expect(result.total).toBe(0);
      expectConsistent(result);
    });

    it('splits over lines in proportion with the largest remainder, summing exactly', () => {
      const result = price([line('a', 10_000, 1), line('b', 20_000, 1), line('c', 30_001, 1)], [promo('fixed', { type: 'fixed', amount: 50_000, target: { scope: 'order' } })]);
      // 8333,19 / 16666,39 / 25000,42 → floors 8333 + 16666 + 25000 = 49.999; the extra đồng goes to c.
      expect(result.lines.map((l) => l.discount)).toEqual([8_333, 16_666, 25_001]);
      expect(result.discountTotal).toBe(50_000);
    });

    it('says the amount in the description', () => {
      const result = price([line('a', 300_000, 1)], [promo('fixed', { type: 'fixed', amount: 100_000, target: { scope: 'order' } }, { name: 'Giảm 100K' })]);
      expect(result.applied[0]?.description).toBe(vnd('Giảm 100K: 100.000 ₫ off the order'));
    });
  });

  describe('when promotions stack', () => {
    const cart = [line('a', 1_000_000, 1)];
    const fixed100k = (id: string, priority: number) => promo(id, { type: 'fixed', amount: 100_000, target: { scope: 'order' } }, { priority });
    const pct10 = (id: string, priority: number) => promo(id, { type: 'percentage', percent: 10, target: { scope: 'order' } }, { priority });

    it('applies combinables in priority order, each on what is left', () => {
      const fixedFirst = price(cart, [pct10('pct', 5), fixed100k('fixed', 10)]);
      expect(appliedIds(fixedFirst)).toEqual(['fixed', 'pct']);
      expect(fixedFirst.discountTotal).toBe(190_000);
      const pctFirst = price(cart, [pct10('pct', 10), fixed100k('fixed', 5)]);
      expect(appliedIds(pctFirst)).toEqual(['pct', 'fixed']);
      expect(pctFirst.discountTotal).toBe(200_000);
    });

    it('orders equal priorities by id', () => {
      const result = price(cart, [pct10('b_pct', 0), fixed100k('a_fixed', 0)]);
      expect(appliedIds(result)).toEqual(['a_fixed', 'b_pct']);
      expect(result.discountTotal).toBe(190_000);
    });

    it('reaches a tier by the subtotal before discounts and takes it off what is left', () => {
      const tier = promo('tier', { type: 'tiered_spend', tiers: [{ minSpend: 1_000_000, percentOff: 10 }] }, { priority: 1 });
      const result = price(cart, [tier, fixed100k('fixed', 10)]);
      expect(result.applied.map((a) => [a.promotionId, a.amount])).toEqual([
        ['fixed', 100_000],
        ['tier', 90_000],
      ]);
    });

    it('discounts what a buy-X-get-Y left', () => {
      const result = price([tee('v1', 100_000, 2)], [promo('bogo', BOGO, { priority: 2 }), pct10('pct', 1)]);
      expect(result.applied.map((a) => [a.promotionId, a.amount])).toEqual([
        ['bogo', 100_000],
        ['pct', 10_000],
      ]);
    });

    it('never takes a line below zero', () => {
      const big = (id: string, priority: number) => promo(id, { type: 'fixed', amount: 800_000, target: { scope: 'order' } }, { priority });
      const result = price(cart, [big('one', 3), big('two', 2), big('three', 1)]);
      expect(result.applied.map((a) => a.amount)).toEqual([800_000, 200_000]);
      expect(result.lines[0]?.discount).toBe(1_000_000);
      expect(reasonOf(result, 'three')?.reason).toBe('nothing_to_discount');
      expectConsistent(result);
    });

    it('lets an exclusive win when it saves more', () => {
      const exclusive = promo('excl', { type: 'percentage', percent: 30, target: { scope: 'order' } }, { stacking: 'exclusive' });
      const result = price(cart, [pct10('pct', 5), fixed100k('fixed', 10), exclusive]);
      expect(appliedIds(result)).toEqual(['excl']);
      expect(result.discountTotal).toBe(300_000);
      expect(reasonOf(result, 'pct')?.reason).toBe('not_best_combination');
      expect(reasonOf(result, 'fixed')).toMatchObject({
        reason: 'not_best_combination',
        message: vnd('exclusive promotion "excl" applies alone and saves more (300.000 ₫ vs 190.000 ₫)'),
      });
    });

    it('lets the combinables win when together they save more', () => {
      const exclusive = promo('excl', { type: 'percentage', percent: 15, target: { scope: 'order' } }, { stacking: 'exclusive', priority: 100 });
      const result = price(cart, [pct10('pct', 5), fixed100k('fixed', 10), exclusive]);
      expect(appliedIds(result)).toEqual(['fixed', 'pct']);
      expect(result.discountTotal).toBe(190_000);
      expect(reasonOf(result, 'excl')?.reason).toBe('exclusive_lost');
    });

    it('picks the best of several exclusives', () => {
      const e1 = promo('e1', { type: 'fixed', amount: 120_000, target: { scope: 'order' } }, { stacking: 'exclusive', priority: 9 });
      const e2 = promo('e2', { type: 'fixed', amount: 150_000, target: { scope: 'order' } }, { stacking: 'exclusive', priority: 1 });
      const result = price(cart, [e1, e2]);
      expect(appliedIds(result)).toEqual(['e2']);
      expect(reasonOf(result, 'e1')?.reason).toBe('exclusive_lost');
    });

    describe('when savings tie', () => {
      const tieExclusive = (priority: number) => promo('excl', { type: 'fixed', amount: 190_000, target: { scope: 'order' } }, { stacking: 'exclusive', priority });

      it('prefers the option holding the higher priority: the combinables', () => {
        const result = price(cart, [pct10('pct', 5), fixed100k('fixed', 10), tieExclusive(7)]);
        expect(appliedIds(result)).toEqual(['fixed', 'pct']);
        expect(reasonOf(result, 'excl')?.reason).toBe('exclusive_lost');
      });

      it('prefers the option holding the higher priority: the exclusive', () => {
        const result = price(cart, [pct10('pct', 5), fixed100k('fixed', 10), tieExclusive(11)]);
        expect(appliedIds(result)).toEqual(['excl']);
        expect(reasonOf(result, 'fixed')?.reason).toBe('not_best_combination');
      });

      it('prefers the smaller id at equal priority', () => {
        const a = promo('e_a', { type: 'fixed', amount: 100_000, target: { scope: 'order' } }, { stacking: 'exclusive' });
        const b = promo('e_b', { type: 'fixed', amount: 100_000, target: { scope: 'order' } }, { stacking: 'exclusive' });
        expect(appliedIds(price(cart, [b, a]))).toEqual(['e_a']);
        expect(appliedIds(price(cart, [a, b]))).toEqual(['e_a']);
      });
    });

    it('gives the same result whatever the input order', () => {
      const promotions = [
        pct10('pct', 5),
        fixed100k('fixed', 10),
        promo('excl', { type: 'percentage', percent: 19, target: { scope: 'order' } }, { stacking: 'exclusive' }),
        promo('ship', { type: 'free_shipping' }),
        promo('off', pct10('x', 0).reward, { status: 'paused' }),
      ];
      const first = price(cart, promotions, { ctx: { shippingFee: 25_000 } });
      const second = price(cart, [...promotions].reverse(), { ctx: { shippingFee: 25_000 } });
      expect(second).toEqual(first);
      expect(first.notApplied.map((n) => n.promotionId)).toEqual(['excl', 'off']);
      expectConsistent(first);
    });

    it('ranks a gift by its value against money off', () => {
      const gift = promo('gift', { type: 'gift', variantId: 'v_bag', quantity: 1, giftValue: 250_000 }, { stacking: 'exclusive' });
      const result = price(cart, [pct10('pct', 5), fixed100k('fixed', 10), gift]);
      expect(appliedIds(result)).toEqual(['gift']);
      expect(result.gifts).toEqual([{ variantId: 'v_bag', quantity: 1, promotionId: 'gift' }]);
      expect(result.discountTotal).toBe(0);
      expect(result.applied[0]?.amount).toBe(0);
    });
  });

  describe('when a promotion has a budget', () => {
    it('caps the discount at budgetLeft', () => {
      const result = price([line('a', 600_000, 1), line('b', 400_000, 1)], [promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' } }, { budgetLeft: 30_000 })]);
      expect(result.discountTotal).toBe(30_000);
      expect(result.lines.map((l) => l.discount)).toEqual([18_000, 12_000]);
      expect(result.applied[0]?.description).toContain('remaining budget');
    });

    it('caps free shipping at budgetLeft', () => {
      const result = price([line('a', 100_000, 1)], [promo('ship', { type: 'free_shipping' }, { budgetLeft: 10_000 })], { ctx: { shippingFee: 30_000 } });
      expect(result.shippingDiscount).toBe(10_000);
      expect(result.total).toBe(120_000);
    });

    it('does not apply once the budget is used up', () => {
      const result = price([line('a', 100_000, 1)], [promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' } }, { budgetLeft: 0 })]);
      expect(result.applied).toEqual([]);
      expect(reasonOf(result, 'pct')?.reason).toBe('budget_exhausted');
    });
  });

  describe('when a promotion is gated', () => {
    const cart = [line('a', 100_000, 1)];
    const reward: Reward = { type: 'fixed', amount: 10_000, target: { scope: 'order' } };

    it.each([
      ['usage_limit_reached', { usesLeft: 0 }],
      ['customer_limit_reached', { customerUsesLeft: 0 }],
      ['not_active', { status: 'paused' as const }],
      ['not_active', { status: 'draft' as const }],
      ['outside_window', { startsAt: '2026-03-10T05:00:01Z' }],
      ['outside_window', { endsAt: NOW.toISOString() }],
    ])('reports %s for %j', (reason, extra) => {
      const result = price(cart, [promo('p', reward, extra)]);
      expect(result.applied).toEqual([]);
      expect(reasonOf(result, 'p')?.reason).toBe(reason);
    });

    it.each([
      ['uses left', { usesLeft: 1, customerUsesLeft: 1 }],
      ['a window that starts now', { startsAt: NOW.toISOString(), endsAt: '2026-03-11T00:00:00Z' }],
      ['a scheduled status whose start has passed', { status: 'scheduled' as const, startsAt: '2026-03-01T00:00:00Z' }],
    ])('applies with %s', (_label, extra) => {
      expect(appliedIds(price(cart, [promo('p', reward, extra)]))).toEqual(['p']);
    });

    it('needs its code', () => {
      const coded = promo('p', reward, { requiresCode: true });
      expect(reasonOf(price(cart, [coded]), 'p')?.reason).toBe('code_required');
      const otherCode = price(cart, [coded], { ctx: { codes: [{ code: 'OTHER', promotionId: 'q' }] } });
      expect(reasonOf(otherCode, 'p')?.reason).toBe('code_required');
      const withCode = price(cart, [coded], { ctx: { codes: [{ code: 'SALE10', promotionId: 'p' }] } });
      expect(withCode.applied).toMatchObject([{ promotionId: 'p', amount: 10_000, code: 'SALE10' }]);
    });

    it('names the unmet condition', () => {
      const gold = promo('gold', reward, { conditions: { tier: { in: ['gold'] } } });
      expect(reasonOf(price(cart, [gold]), 'gold')).toMatchObject({ reason: 'conditions_not_met', message: 'needs tier gold' });
    });

    it('says how much more to spend and what it would save', () => {
      const spend = promo('spend', { type: 'fixed', amount: 50_000, target: { scope: 'order' } }, { conditions: { cartSubtotal: { gte: 250_000 } } });
      expect(reasonOf(price(cart, [spend]), 'spend')).toMatchObject({
        reason: 'conditions_not_met',
        message: vnd('spend 150.000 ₫ more'),
        missing: { spend: 150_000, saving: 50_000 },
      });
    });
  });

  describe('when the promotion is free shipping', () => {
    it('takes the whole fee off', () => {
      const result = price([line('a', 100_000, 1)], [promo('ship', { type: 'free_shipping' })], { ctx: { shippingFee: 30_000 } });
      expect(result).toMatchObject({ shippingFee: 30_000, shippingDiscount: 30_000, discountTotal: 0, total: 100_000 });
    });

    it('takes at most maxAmount off', () => {
      const result = price([line('a', 100_000, 1)], [promo('ship', { type: 'free_shipping', maxAmount: 20_000 })], { ctx: { shippingFee: 30_000 } });
      expect(result).toMatchObject({ shippingDiscount: 20_000, total: 110_000 });
      expect(result.applied[0]?.description).toBe(vnd('ship: 20.000 ₫ off shipping'));
    });

    it('has nothing to discount without a fee', () => {
      const result = price([line('a', 100_000, 1)], [promo('ship', { type: 'free_shipping' })]);
      expect(reasonOf(result, 'ship')?.reason).toBe('nothing_to_discount');
    });
  });

  describe('when the input is invalid', () => {
    it('throws on a negative quantity or a fractional price', () => {
      expect(() => price([line('a', 100, -1)], [])).toThrow(RangeError);
      expect(() => price([line('a', 100.5, 1)], [])).toThrow(RangeError);
    });
  });
});

describe('splitProportionally', () => {
  it('sums exactly and gives ties to the earlier weight', () => {
    expect(splitProportionally(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitProportionally(2, [1, 1, 1])).toEqual([1, 1, 0]);
  });

  it('stays exact beyond 2^53', () => {
    const shares = splitProportionally(9_000_000_000_000, [3_000_000_000_001, 6_000_000_000_000]);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(9_000_000_000_000);
    expect(shares).toEqual([3_000_000_000_001, 5_999_999_999_999]);
  });
});

describe('evaluateCondition', () => {
  const ctx = context();
  const check = (c: Condition, customer: CustomerFacts = customerWith(), at: Partial<PricingContext> = {}, cartSubtotal = 0) =>
    evaluateCondition(c, customer, context(at), cartSubtotal);

  describe('when composing with all / any / not', () => {
    const gold = customerWith({ traits: { tier: 'gold' }, orderCount: 2 });

    it('all needs every condition and lists each unmet one', () => {
      const r = check({ all: [{ tier: { in: ['gold'] } }, { firstOrder: true }, { orderCount: { gte: 5 } }] }, gold);
      expect(r.met).toBe(false);
      expect(r.unmet).toEqual(['only for a first order', 'needs at least 5 orders']);
      expect(r.satisfied).toEqual(['tier gold']);
      expect(check({ all: [{ tier: { in: ['gold'] } }, { orderCount: { gte: 2 } }] }, gold).met).toBe(true);
    });

    it('any needs one condition', () => {
      expect(check({ any: [{ firstOrder: true }, { tier: { in: ['gold'] } }] }, gold).met).toBe(true);
      const r = check({ any: [{ firstOrder: true }, { tier: { in: ['silver'] } }] }, gold);
      expect(r).toMatchObject({ met: false, unmet: ['only for a first order or needs tier silver'] });
      expect(check({ any: [] }, gold).met).toBe(false);
    });

    it('any can be met by spending more when one of its branches is spend', () => {
      const r = check({ any: [{ tier: { in: ['platinum'] } }, { cartSubtotal: { gte: 500_000 } }] }, gold, {}, 350_000);
      expect(r).toMatchObject({ met: false, unmet: [vnd('needs tier platinum or spend 150.000 ₫ more')], spendShort: 150_000 });
      expect(check({ all: [{ tier: { in: ['platinum'] } }, { cartSubtotal: { gte: 500_000 } }] }, gold, {}, 350_000).spendShort).toBeNull();
    });

    it('not inverts', () => {
      expect(check({ not: { tier: { in: ['gold'] } } }, gold)).toMatchObject({ met: false, unmet: ['excluded when tier gold'] });
      expect(check({ not: { firstOrder: true } }, gold).met).toBe(true);
      expect(check({ not: { not: { tier: { in: ['gold'] } } } }, gold).met).toBe(true);
    });
  });

  it('checks the channel and the channel type', () => {
    expect(check({ channel: { in: ['ch_web', 'ch_pos'] } }).met).toBe(true);
    expect(check({ channel: { in: ['ch_pos'] } }).met).toBe(false);
    expect(check({ channelType: { in: ['pos'] } }, customerWith(), { channelType: 'pos' }).met).toBe(true);
    expect(check({ channelType: { in: ['pos'] } }).met).toBe(false);
  });

  describe('when checking a schedule in the workspace time zone', () => {
    // 2026-03-10T11:30Z is Tuesday 18:30 in Ho Chi Minh City.
    const at = { now: new Date('2026-03-10T11:30:00Z') };

    it.each([
      [{ daysOfWeek: [2], fromHour: 18, toHour: 22 }, true],
      [{ daysOfWeek: [1, 3], fromHour: 18, toHour: 22 }, false],
      [{ fromHour: 19 }, false],
      [{ fromHour: 12, toHour: 18 }, false],
      [{ fromHour: 12, toHour: 19 }, true],
      [{ daysOfWeek: [2] }, true],
    ])('%j is %s at Tuesday 18:30', (schedule, met) => {
      expect(check({ schedule }, customerWith(), at).met).toBe(met);
    });

    it('uses the local day, not the UTC day', () => {
      // Tuesday 20:00 UTC is Wednesday 03:00 in Ho Chi Minh City.
      const late = { now: new Date('2026-03-10T20:00:00Z') };
      expect(check({ schedule: { daysOfWeek: [3] } }, customerWith(), late).met).toBe(true);
      expect(check({ schedule: { daysOfWeek: [2] } }, customerWith(), late).met).toBe(false);
    });

    it('supports an overnight window', () => {
      const late = { now: new Date('2026-03-10T18:30:00Z') }; // 01:30 local
      expect(check({ schedule: { fromHour: 22, toHour: 2 } }, customerWith(), late).met).toBe(true);
      expect(check({ schedule: { fromHour: 22, toHour: 1 } }, customerWith(), late).met).toBe(false);
    });
  });

  it('compares the tier case-insensitively', () => {
    expect(check({ tier: { in: ['gold', 'platinum'] } }, customerWith({ traits: { tier: 'Gold' } })).met).toBe(true);
    expect(check({ tier: { in: ['GOLD'] } }, customerWith({ traits: { tier: 'silver' } }))).toMatchObject({ met: false, unmet: ['needs tier GOLD'] });
    expect(check({ tier: { in: ['GOLD'] } }, customerWith({ traits: { tier: ' gold ' } })).met).toBe(true);
    expect(check({ tier: { in: ['gold'] } }).met).toBe(false);
  });

  it('checks a first order', () => {
    expect(check({ firstOrder: true }, customerWith({ orderCount: 0 })).met).toBe(true);
    expect(check({ firstOrder: true }, customerWith({ orderCount: 1 })).met).toBe(false);
  });

  describe('when checking the birthday month around midnight', () => {
    const april = customerWith({ traits: { birthday: '1990-04-15' } });
    const march = customerWith({ traits: { birthday: '1990-03-20' } });

    it('18:00 UTC on March 31 is April 1 in Ho Chi Minh City', () => {
      const at = { now: new Date('2026-03-31T18:00:00Z') };
      expect(check({ birthdayMonth: true }, april, at).met).toBe(true);
      expect(check({ birthdayMonth: true }, march, at).met).toBe(false);
    });

    it('16:59:59 UTC on March 31 is still March in Ho Chi Minh City', () => {
      const at = { now: new Date('2026-03-31T16:59:59Z') };
      expect(check({ birthdayMonth: true }, april, at).met).toBe(false);
      expect(check({ birthdayMonth: true }, march, at).met).toBe(true);
    });

    it('is the same instant in UTC: still March', () => {
      const at = { now: new Date('2026-03-31T18:00:00Z'), timeZone: 'UTC' };
      expect(check({ birthdayMonth: true }, march, at).met).toBe(true);
    });

    it('reads an ISO timestamp birthday in the time zone', () => {
      // 1990-03-31T17:00Z is midnight, April 1, in Ho Chi Minh City.
      const stamped = customerWith({ traits: { birthday: '1990-03-31T17:00:00.000Z' } });
      expect(check({ birthdayMonth: true }, stamped, { now: new Date('2026-04-10T05:00:00Z') }).met).toBe(true);
    });

    it('is not met without a birthday', () => {
      expect(check({ birthdayMonth: true })).toMatchObject({ met: false, unmet: ['needs a birthday on the profile'] });
    });
  });

  describe('when checking a category bought recently', () => {
    const c: Condition = { boughtCategory: { categoryIds: ['cat_milk', 'cat_diaper'], withinDays: 30 } };
    const boughtAgo = (days: number, category = 'cat_diaper') => customerWith({ lastBoughtByCategory: { [category]: new Date(NOW.getTime() - days * DAY).toISOString() } });

    it.each([
      [29, true],
      [30, true],
      [30.01, false],
      [90, false],
    ])('%s days ago is %s', (days, met) => {
      expect(check(c, boughtAgo(days)).met).toBe(met);
    });

    it('ignores other categories', () => {
      expect(check(c, boughtAgo(1, 'cat_toys')).met).toBe(false);
    });
  });

  it('checks total spent, order count and last store', () => {
    const buyer = customerWith({ totalSpent: 5_000_000, orderCount: 4, lastStoreLocationId: 'loc_q1' });
    expect(check({ totalSpent: { gte: 5_000_000 } }, buyer).met).toBe(true);
    expect(check({ totalSpent: { gte: 5_000_001 } }, buyer).met).toBe(false);
    expect(check({ orderCount: { gte: 4 } }, buyer).met).toBe(true);
    expect(check({ orderCount: { gte: 5 } }, buyer).met).toBe(false);
    expect(check({ lastStore: { in: ['loc_q1'] } }, buyer).met).toBe(true);
    expect(check({ lastStore: { in: ['loc_q3'] } }, buyer).met).toBe(false);
    expect(check({ lastStore: { in: ['loc_q1'] } }).met).toBe(false);
  });

  it('says how much more to spend for a cart subtotal', () => {
    const r = evaluateCondition({ cartSubtotal: { gte: 500_000 } }, customerWith(), ctx, 350_000);
    expect(r).toMatchObject({ met: false, unmet: [vnd('spend 150.000 ₫ more')], spendShort: 150_000 });
    expect(evaluateCondition({ cartSubtotal: { gte: 500_000 } }, customerWith(), ctx, 500_000).met).toBe(true);
  });

  describe('when comparing a trait', () => {
    const traits = { age: 25, city: 'Hà Nội', score: '10', tags: ['VIP', 'wholesale'], empty: '', nothing: null };
    const who = customerWith({ traits });

    it.each([
      ['age', 'eq', 25, true],
      ['age', 'eq', '25', true],
      ['age', 'eq', 26, false],
      ['city', 'eq', 'hà nội', true],
      ['city', 'eq', 'Hồ Chí Minh', false],
      ['city', 'neq', 'Hồ Chí Minh', true],
      ['city', 'neq', 'HÀ NỘI', false],
      ['missing', 'neq', 'x', true],
      ['missing', 'eq', 'x', false],
      ['city', 'in', ['Đà Nẵng', 'HÀ NỘI'], true],
      ['city', 'in', ['Đà Nẵng'], false],
      ['city', 'not_in', ['Đà Nẵng'], true],
      ['city', 'not_in', ['hà nội'], false],
      ['age', 'gt', 24, true],
      ['age', 'gt', 25, false],
      ['age', 'gte', 25, true],
      ['age', 'lt', 25, false],
      ['age', 'lte', 25, true],
      ['score', 'gt', 9, true],
      ['score', 'gt', '9', true],
      ['city', 'gt', 5, false],
      ['missing', 'lt', 5, false],
      ['city', 'exists', undefined, true],
      ['empty', 'exists', undefined, false],
      ['nothing', 'exists', undefined, false],
      ['missing', 'exists', undefined, false],
      ['city', 'contains', 'NỘI', true],
      ['city', 'contains', 'Huế', false],
      ['tags', 'contains', 'vip', true],
      ['tags', 'contains', 'retail', false],
    ] as const)('%s %s %j is %s', (key, op, value, met) => {
      expect(check({ trait: { key, op, value } }, who).met).toBe(met);
    });
  });
});

describe('offersFor', () => {
  const offers = (lines: PricingLine[], promotions: PromotionRule[], opts: { customer?: CustomerFacts; ctx?: Partial<PricingContext> } = {}) =>
    offersFor({ lines, promotions, customer: opts.customer ?? customerWith(), ctx: context(opts.ctx) });
  const tiers: Reward = {
    type: 'tiered_spend',
    tiers: [
      { minSpend: 500_000, amountOff: 100_000 },
      { minSpend: 1_000_000, amountOff: 250_000 },
    ],
  };

  describe('when a tiered spend is not reached yet', () => {
    it('says how much more to spend and the next tier saving', () => {
      const [offer] = offers([line('a', 350_000, 1)], [promo('tier', tiers, { name: 'Chi tiêu nhiều giảm nhiều' })]);
      expect(offer).toMatchObject({
        promotionId: 'tier',
        eligible: false,
        saving: 0,
        potentialSaving: 100_000,
        missing: [vnd('add 150.000 ₫ more to get 100.000 ₫ off')],
      });
      expect(offer?.message).toContain(vnd('add 150.000 ₫ more to get 100.000 ₫ off'));
    });
  });

  describe('when a tier is reached', () => {
    it('states the saving and the next tier', () => {
      const [offer] = offers([line('a', 600_000, 1)], [promo('tier', tiers)]);
      expect(offer).toMatchObject({ eligible: true, saving: 100_000, potentialSaving: 100_000, missing: [] });
      expect(offer?.message).toContain(vnd('saves 100.000 ₫'));
      expect(offer?.message).toContain(vnd('add 400.000 ₫ more to get 250.000 ₫ off'));
    });
  });

  describe('when a cart subtotal condition is not met', () => {
    it('says how much more to spend to get the saving', () => {
      const spend = promo('spend', { type: 'fixed', amount: 50_000, target: { scope: 'order' } }, { conditions: { all: [{ cartSubtotal: { gte: 500_000 } }, { tier: { in: ['gold'] } }] } });
      const [offer] = offers([line('a', 350_000, 1)], [spend], { customer: customerWith({ traits: { tier: 'gold' } }) });
      expect(offer).toMatchObject({
        eligible: false,
        saving: 0,
        potentialSaving: 50_000,
        conditionsMet: ['tier gold'],
        missing: [vnd('add 150.000 ₫ more to get 50.000 ₫ off')],
      });
    });
  });

  describe('when the reward is a percentage', () => {
    const pct = promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' } });

    it('states the percent on an empty cart', () => {
      const [offer] = offers([], [pct]);
      expect(offer).toMatchObject({ eligible: false, saving: 0, potentialSaving: 0 });
      expect(offer?.message).toContain('10% off');
    });

    it('states the money saved on a cart', () => {
      const [offer] = offers([line('a', 450_000, 1)], [pct]);
      expect(offer).toMatchObject({ eligible: true, saving: 45_000, potentialSaving: 45_000 });
      expect(offer?.message).toBe(vnd('10% off the order: saves 45.000 ₫ on this cart'));
    });
  });

  it('states what a missing tier would save', () => {
    const gold = promo('gold', { type: 'percentage', percent: 20, target: { scope: 'order' } }, { conditions: { tier: { in: ['gold'] } } });
    const [offer] = offers([line('a', 500_000, 1)], [gold]);
    expect(offer).toMatchObject({ eligible: false, saving: 0, potentialSaving: 100_000, missing: ['needs tier gold'] });
  });

  it('lists code promotions with what they need, and leaves out what cannot apply here or now', () => {
    const reward: Reward = { type: 'fixed', amount: 20_000, target: { scope: 'order' } };
    const list = offers(
      [line('a', 300_000, 1)],
      [
        promo('code', reward, { requiresCode: true, priority: 2 }),
        promo('pos_only', reward, { conditions: { all: [{ channelType: { in: ['pos'] } }, { tier: { in: ['gold'] } }] } }),
        promo('not_pos', reward, { conditions: { not: { channelType: { in: ['pos'] } } } }),
        promo('paused', reward, { status: 'paused' }),
        promo('used_up', reward, { customerUsesLeft: 0 }),
        promo('code_used_up', reward, { requiresCode: true, usesLeft: 0 }),
        promo('ended', reward, { endsAt: '2026-03-01T00:00:00Z' }),
      ],
    );
    expect(list.map((o) => o.promotionId)).toEqual(['code', 'not_pos']);
    expect(list[0]).toMatchObject({ requiresCode: true, eligible: false, saving: 0, potentialSaving: 20_000, missing: ['enter the promotion code'] });
    expect(list[1]).toMatchObject({ eligible: true, saving: 20_000, conditionsMet: ['not channel type pos'] });
  });

  it('says how many items a buy-X-get-Y still needs', () => {
    const [offer] = offers([tee('v1', 100_000, 1)], [promo('bogo', BOGO)]);
    expect(offer).toMatchObject({ eligible: false, potentialSaving: 100_000, missing: ['add 1 more eligible item to get 1 free'] });
  });
});

describe('machine-readable needs next to every English reason', () => {
  /** Every code seen in this block, nested ones included: the last test checks all were. */
  const seen = new Set<string>();
  const see = (needs: readonly PromotionNeed[]): PromotionNeed[] => {
    for (const n of needs) {
      seen.add(n.code);
      if ('items' in n) see(n.items);
    }
    return [...needs];
  };
  const offerFor = (lines: PricingLine[], promotions: PromotionRule[], opts: { customer?: CustomerFacts; ctx?: Partial<PricingContext> } = {}) => {
    const list = offersFor({ lines, promotions, customer: opts.customer ?? customerWith(), ctx: context(opts.ctx) });
    for (const o of list) {
      // Entry for entry with the words.
      expect(o.needs).toHaveLength(o.missing.length);
      expect(o.met).toHaveLength(o.conditionsMet.length);
      see(o.needs);
      see(o.met);
    }
    return list;
  };
  const notApplied = (lines: PricingLine[], promotions: PromotionRule[], id: string, opts: { customer?: CustomerFacts; ctx?: Partial<PricingContext> } = {}) => {
    const n = reasonOf(price(lines, promotions, opts), id);
    expect(n, id).toBeDefined();
    expect(n!.needs.length).toBeGreaterThan(0);
    see(n!.needs);
    return n!;
  };

  it('every condition kind, with any, all and not', () => {
    const cases: [Condition, string, PromotionNeed][] = [
      [{ channel: { in: ['ch_pos'] } }, 'needs channel ch_pos', { code: 'channel', values: ['ch_pos'] }],
      [{ channelType: { in: ['marketplace'] } }, 'needs channel type marketplace', { code: 'channel_type', values: ['marketplace'] }],
      [{ schedule: { daysOfWeek: [0, 6], fromHour: 18, toHour: 22 } }, 'needs on Sun, Sat from 18:00 to 22:00', { code: 'schedule', daysOfWeek: [0, 6], fromHour: 18, toHour: 22 }],
      [{ tier: { in: ['gold'] } }, 'needs tier gold', { code: 'tier', values: ['gold'] }],
      [{ firstOrder: true }, 'only for a first order', { code: 'first_order' }],
      [{ birthdayMonth: true }, 'needs a birthday on the profile', { code: 'birthday_missing' }],
      [{ boughtCategory: { categoryIds: ['cat_a'], withinDays: 30 } }, 'needs bought from category cat_a in the last 30 days', { code: 'bought_category', categoryIds: ['cat_a'], withinDays: 30 }],
      [{ totalSpent: { gte: 5_000_000 } }, vnd('needs total spent at least 5.000.000 ₫'), { code: 'total_spent', amount: 5_000_000 }],
      [{ orderCount: { gte: 5 } }, 'needs at least 5 orders', { code: 'order_count', count: 5 }],
      [{ lastStore: { in: ['loc_1'] } }, 'needs last store loc_1', { code: 'last_store', values: ['loc_1'] }],
      [{ cartSubtotal: { gte: 500_000 } }, vnd('spend 300.000 ₫ more'), { code: 'spend_more', amount: 300_000 }],
      [{ trait: { key: 'city', op: 'eq', value: 'Hà Nội' } }, 'needs city is Hà Nội', { code: 'trait', key: 'city', op: 'eq', value: 'Hà Nội' }],
      [{ trait: { key: 'zalo', op: 'exists' } }, 'needs zalo is set', { code: 'trait', key: 'zalo', op: 'exists' }],
      [{ not: { channelType: { in: ['web'] } } }, 'excluded when channel type web', { code: 'channel_type', values: ['web'], negate: true }],
      [
        { any: [{ tier: { in: ['gold'] } }, { all: [{ orderCount: { gte: 5 } }, { firstOrder: true }] }] },
        'needs tier gold or needs at least 5 orders and only for a first order',
        { code: 'any_of', items: [{ code: 'tier', values: ['gold'] }, { code: 'all_of', items: [{ code: 'order_count', count: 5 }, { code: 'first_order' }] }] },
      ],
      [{ any: [] }, 'never met (no alternatives)', { code: 'any_of', items: [] }],
    ];
    for (const [condition, text, need] of cases) {
      const r = evaluateCondition(condition, customerWith(), context(), 200_000);
      expect(r.met, text).toBe(false);
      expect(r.unmet).toEqual([text]);
      expect(r.needs).toEqual([need]);
      see(r.needs);
    }
    const inMay = evaluateCondition({ birthdayMonth: true }, customerWith({ traits: { birthday: '1990-05-01' } }), context(), 0);
    expect(inMay.needs).toEqual([{ code: 'birthday_month' }]);
    see(inMay.needs);
    // all: one need per unmet condition, in order.
    const both = evaluateCondition({ all: [{ firstOrder: true }, { orderCount: { gte: 5 } }] }, customerWith(), context(), 0);
    expect(both.needs).toEqual([{ code: 'first_order' }, { code: 'order_count', count: 5 }]);
  });

  it('met conditions have needs too, not (all) is a negated group', () => {
    const gold = customerWith({ traits: { tier: 'gold' } });
    const r = evaluateCondition(
      { all: [{ tier: { in: ['gold'] } }, { cartSubtotal: { gte: 100_000 } }, { not: { channelType: { in: ['marketplace'] } } }] },
      gold,
      context(),
      200_000,
    );
    expect(r.met).toBe(true);
    expect(r.satisfied).toEqual(['tier gold', vnd('cart subtotal at least 100.000 ₫'), 'not channel type marketplace']);
    expect(r.metNeeds).toEqual([{ code: 'tier', values: ['gold'] }, { code: 'cart_subtotal', amount: 100_000 }, { code: 'channel_type', values: ['marketplace'], negate: true }]);
    see(r.metNeeds);
    const excluded = evaluateCondition({ not: { all: [{ tier: { in: ['gold'] } }, { not: { firstOrder: true } }] } }, gold, context(), 0);
    expect(excluded.needs).toEqual([{ code: 'all_of', items: [{ code: 'tier', values: ['gold'] }, { code: 'first_order', negate: true }], negate: true }]);
  });

  it('offers: code, spend more with its saving, items more, an empty cart, items of the target, tier', () => {
    const shirt = line('shirt', 100_000, 1);
    const [code] = offerFor([shirt], [promo('code', { type: 'fixed', amount: 20_000, target: { scope: 'order' } }, { requiresCode: true })]);
    expect(code).toMatchObject({ missing: ['enter the promotion code'], needs: [{ code: 'code_required' }] });

    const [spend] = offerFor([line('a', 350_000, 1)], [promo('spend', { type: 'fixed', amount: 100_000, target: { scope: 'order' } }, { conditions: { cartSubtotal: { gte: 500_000 } } })]);
    expect(spend).toMatchObject({ missing: [vnd('add 150.000 ₫ more to get 100.000 ₫ off')], needs: [{ code: 'spend_more', amount: 150_000, saving: 100_000 }] });

    const bogo: Reward = { type: 'buy_x_get_y', buy: { items: { scope: 'products', productIds: ['p_shirt'] }, quantity: 1 }, get: { items: { scope: 'products', productIds: ['p_shirt'] }, quantity: 1, percent: 100 } };
    const [items] = offerFor([shirt], [promo('bogo', bogo)]);
    expect(items).toMatchObject({ missing: ['add 1 more eligible item to get 1 free'], needs: [{ code: 'items_more', count: 1, free: 1 }] });
    const half: Reward = { ...bogo, get: { ...bogo.get, quantity: 2, percent: 50 } };
    const [halfOff] = offerFor([shirt], [promo('half', half)]);
    expect(halfOff).toMatchObject({ missing: ['add 2 more eligible items to get 2 at 50% off'], needs: [{ code: 'items_more', count: 2, discounted: 2, percent: 50 }] });

    const [empty] = offerFor([], [promo('pct', { type: 'percentage', percent: 10, target: { scope: 'order' } })]);
    expect(empty).toMatchObject({ missing: ['add items to the cart'], needs: [{ code: 'empty_cart' }] });
    const [target] = offerFor([shirt], [promo('cat', { type: 'fixed', amount: 10_000, target: { scope: 'categories', categoryIds: ['cat_kitchen'] } })]);
    expect(target).toMatchObject({ missing: ['add items from selected categories to the cart'], needs: [{ code: 'add_items', scope: 'categories' }] });
    const [eligible] = offerFor([], [promo('tier0', { type: 'tiered_spend', tiers: [{ minSpend: 0, amountOff: 50_000 }] })]);
    expect(eligible).toMatchObject({ missing: ['add eligible items to the cart'], needs: [{ code: 'add_items', scope: 'eligible' }] });

    const [gold] = offerFor([shirt], [promo('gold', { type: 'fixed', amount: 10_000, target: { scope: 'order' } }, { conditions: { all: [{ tier: { in: ['gold'] } }, { orderCount: { gte: 1 } }] } })]);
    expect(gold).toMatchObject({ missing: ['needs tier gold'], needs: [{ code: 'tier', values: ['gold'] }], conditionsMet: ['at least 1 orders'], met: [{ code: 'order_count', count: 1 }] });
  });

  it('not applied: gates, rewards that give nothing, stacking', () => {
    const shirt = line('shirt', 100_000, 1);
    const off = (extra: Partial<PromotionRule> = {}) => promo('p', { type: 'fixed', amount: 10_000, target: { scope: 'order' } }, extra);
    expect(notApplied([shirt], [off({ requiresCode: true })], 'p')).toMatchObject({ reason: 'code_required', message: 'needs its promotion code', needs: [{ code: 'code_required' }] });
    expect(notApplied([shirt], [off({ status: 'paused' })], 'p').needs).toEqual([{ code: 'not_active', status: 'paused' }]);
    expect(notApplied([shirt], [off({ startsAt: '2026-04-01T00:00:00Z' })], 'p').needs).toEqual([{ code: 'not_started', at: '2026-04-01T00:00:00Z' }]);
    expect(notApplied([shirt], [off({ endsAt: '2026-03-01T00:00:00Z' })], 'p').needs).toEqual([{ code: 'ended', at: '2026-03-01T00:00:00Z' }]);
    expect(notApplied([shirt], [off({ usesLeft: 0 })], 'p').needs).toEqual([{ code: 'usage_limit' }]);
    expect(notApplied([shirt], [off({ customerUsesLeft: 0 })], 'p').needs).toEqual([{ code: 'customer_limit' }]);
    expect(notApplied([shirt], [off({ budgetLeft: 0 })], 'p')).toMatchObject({ reason: 'budget_exhausted', message: 'its budget is used up', needs: [{ code: 'budget_exhausted' }] });
    expect(notApplied([shirt], [off({ conditions: { tier: { in: ['gold'] } } })], 'p')).toMatchObject({ reason: 'conditions_not_met', message: 'needs tier gold', needs: [{ code: 'tier', values: ['gold'] }] });

    expect(notApplied([], [promo('p', { type: 'percentage', percent: 10, target: { scope: 'order' } })], 'p').needs).toEqual([{ code: 'nothing_to_discount', scope: 'order' }]);
    expect(notApplied([line('tiny', 10, 1)], [promo('p', { type: 'percentage', percent: 1, target: { scope: 'order' } })], 'p').needs).toEqual([{ code: 'rounds_to_nothing', percent: 1, amount: 10 }]);
    expect(notApplied([shirt], [promo('p', { type: 'fixed', amount: 0, target: { scope: 'order' } })], 'p')).toMatchObject({ message: 'the amount is zero', needs: [{ code: 'reward_empty' }] });
    expect(notApplied([shirt], [promo('p', { type: 'free_shipping' })], 'p')).toMatchObject({ message: 'no shipping fee to discount', needs: [{ code: 'no_shipping_fee' }] });
    const tiered = notApplied([line('a', 999_999, 1)], [promo('p', { type: 'tiered_spend', tiers: [{ minSpend: 1_000_000, amountOff: 50_000 }] })], 'p');
    expect(tiered).toMatchObject({ message: vnd('spend 1 ₫ more to get 50.000 ₫ off'), needs: [{ code: 'spend_more', amount: 1, saving: 50_000 }] });
    const bogo: Reward = { type: 'buy_x_get_y', buy: { items: { scope: 'products', productIds: ['p_shirt'] }, quantity: 1 }, get: { items: { scope: 'products', productIds: ['p_shirt'] }, quantity: 1, percent: 100 } };
    expect(notApplied([shirt], [promo('p', bogo)], 'p')).toMatchObject({ message: 'add 1 more eligible item', needs: [{ code: 'items_more', count: 1, free: 1 }] });

    // 1 ₫ left on 3 units: a third of it rounds to nothing.
    const cheap = line('shirt', 1, 3);
    const first = promo('first', { type: 'fixed', amount: 2, target: { scope: 'order' } }, { priority: 10 });
    expect(notApplied([cheap], [first, promo('p', bogo)], 'p')).toMatchObject({ message: 'the discounted items are already free', needs: [{ code: 'already_free' }] });
    const all = promo('all', { type: 'percentage', percent: 100, target: { scope: 'order' } }, { priority: 10 });
    expect(notApplied([shirt], [all, promo('p', { type: 'percentage', percent: 10, target: { scope: 'order' } })], 'p')).toMatchObject({
      message: 'nothing in the order to discount after the promotions applied before it',
      needs: [{ code: 'nothing_to_discount', scope: 'order', afterOthers: true }],
    });

    const excl = promo('excl', { type: 'percentage', percent: 50, target: { scope: 'order' } }, { stacking: 'exclusive', name: 'Nửa giá' });
    const small = promo('small', { type: 'fixed', amount: 10_000, target: { scope: 'order' } });
    expect(notApplied([shirt], [excl, small], 'small')).toMatchObject({
      reason: 'not_best_combination',
      needs: [{ code: 'lost_to', winner: 'Nửa giá', winnerSaving: 50_000, saving: 10_000, tie: false }],
    });
    const big = promo('big', { type: 'fixed', amount: 60_000, target: { scope: 'order' } });
    expect(notApplied([shirt], [excl, big], 'excl')).toMatchObject({
      reason: 'exclusive_lost',
      needs: [{ code: 'lost_to', winner: null, winnerSaving: 60_000, saving: 50_000, tie: false }],
    });
  });

  it('a self-reported value that would meet a trait condition is named as such, never counted', () => {
    const shirt = line('shirt', 100_000, 1);
    const claimed = customerWith({ traits: { tier: 'silver' }, selfReported: { tier: 'Gold', vip: true } });
    const gold = promo('gold', { type: 'fixed', amount: 10_000, target: { scope: 'order' } }, { conditions: { tier: { in: ['gold'] } } });
    const vip = promo('vip', { type: 'fixed', amount: 10_000, target: { scope: 'order' } }, { conditions: { trait: { key: 'vip', op: 'eq', value: true } } });
    const [goldOffer, vipOffer] = offerFor([shirt], [gold, vip], { customer: claimed });
    expect(goldOffer).toMatchObject({ eligible: false, needs: [{ code: 'self_reported', key: 'tier', value: 'Gold' }] });
    expect(vipOffer).toMatchObject({ eligible: false, needs: [{ code: 'self_reported', key: 'vip', value: true }] });
    expect(price([shirt], [gold, vip], { customer: claimed }).discountTotal).toBe(0);
    // A claim that would not meet it either: the plain reason.
    const plain = notApplied([shirt], [gold], 'gold', { customer: customerWith({ selfReported: { tier: 'bronze' } }) });
    expect(plain.needs).toEqual([{ code: 'tier', values: ['gold'] }]);
  });

  it('has asserted every code the engine makes', () => {
    const fromService = new Set(['code_unknown', 'code_used_up']);
    expect(PROMOTION_NEED_CODES.filter((c) => !fromService.has(c) && !seen.has(c))).toEqual([]);
  });
});
