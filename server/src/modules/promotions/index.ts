export { promotionsRoutes, PromotionSchema } from './promotions.routes';
export {
  createPromotion,
  getPromotion,
  listPromotions,
  lockCodes,
  normalizeCode,
  recordCouponEvents,
  recordRedemptions,
  resolveCodes,
  reverseRedemptions,
  startRedemptionReversalConsumer,
  type Promotion,
} from './promotions.service';
export { customerFacts, offers, price, priceForOrder, type CodeOutcome, type Priced, type PriceInput } from './pricing';
export type { AppliedPromotion, NotApplied, Offer, PricingResult } from './promotions.types';
