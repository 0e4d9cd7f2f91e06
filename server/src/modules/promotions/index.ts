export { promotionsRoutes, PromotionSchema } from './promotions.routes';
export {
  createPromotion,
  detachRedemptionsFromProfiles,
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
export type { AppliedPromotion, NotApplied, Offer, PricingResult, PromotionNeed } from './promotions.types';
export { PROMOTION_NEED_CODES } from './promotions.types';
export { PromotionNeedSchema, PromotionNeedsSchema } from './needs.schema';
