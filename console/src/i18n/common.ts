/**
 * Words several areas say: membership tiers and short weekday names (day_0 is Sunday, as
 * JavaScript and the promotion schedules count). Areas spread them into their own messages.
 */
export const tierNames = {
  vi: { tier_gold: 'Vàng', tier_silver: 'Bạc', tier_bronze: 'Đồng', tier_platinum: 'Bạch kim', tier_diamond: 'Kim cương', tier_vip: 'VIP', tier_member: 'Thành viên' },
  en: { tier_gold: 'Gold', tier_silver: 'Silver', tier_bronze: 'Bronze', tier_platinum: 'Platinum', tier_diamond: 'Diamond', tier_vip: 'VIP', tier_member: 'Member' },
} as const;

export const dayNames = {
  vi: { day_0: 'CN', day_1: 'T2', day_2: 'T3', day_3: 'T4', day_4: 'T5', day_5: 'T6', day_6: 'T7' },
  en: { day_0: 'Sun', day_1: 'Mon', day_2: 'Tue', day_3: 'Wed', day_4: 'Thu', day_5: 'Fri', day_6: 'Sat' },
} as const;
