/**
 * Promotions: definitions with a lifecycle and an audit trail, codes, redemption, reports, and
 * the rules every channel prices with (the engine in engine.ts is pure; this file feeds it).
 *
 * Lifecycle (stored): draft → active | ended; active → paused | ended; paused → active | ended.
 * Shown status adds time: an active promotion whose start is ahead is `scheduled`, and one past
 * its end is `ended`.
 *
 * Redemption is exact under concurrency: the order's transaction locks the promotions it applies
 * (and their codes) in id order, re-prices with the counters it now holds, then counts the use.
 * The last code and the last đồng of budget are used once.
 */
import type { FastifyBaseLogger } from 'fastify';
import { toDate, type Database, type Executor } from '../../db/client';
import { startConsumer, type Consumer } from '../../platform/domain-log';
import { AppError } from '../../platform/errors';
import { newId, randomSecret } from '../../platform/ids';
import { assertCatalogIdsExist } from '../catalog';
import { recordEvents } from '../ingest';
import type { Condition, PromotionNeed, PromotionRule, PromotionStatus, Reward } from './promotions.types';
import { emptyReferences, parseCondition, parseReward, validated } from './promotions.validate';
import * as repo from './promotions.repo';

export interface Promotion {
  id: string;
  name: string;
  description: string | null;
  /** Shown status: draft, scheduled, active, paused, ended. */
  status: PromotionStatus;
  priority: number;
  stacking: 'exclusive' | 'combinable';
  requiresCode: boolean;
  reward: Reward;
  conditions: Condition | null;
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  budget: number | null;
  uses: number;
  discountGiven: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : toDate(v).toISOString());

/** The status a promotion shows now. */
export function shownStatus(r: Pick<repo.PromotionRow, 'status' | 'starts_at' | 'ends_at'>, now = new Date()): PromotionStatus {
  if (r.status === 'draft' || r.status === 'ended') return r.status;
  if (r.ends_at !== null && toDate(r.ends_at) <= now) return 'ended';
  if (r.status === 'active' && r.starts_at !== null && toDate(r.starts_at) > now) return 'scheduled';
  return r.status as PromotionStatus;
}

function toPromotion(r: repo.PromotionRow): Promotion {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    status: shownStatus(r),
    priority: r.priority,
    stacking: r.stacking as Promotion['stacking'],
    requiresCode: r.requires_code,
    reward: r.reward as Reward,
    conditions: (r.conditions ?? null) as Condition | null,
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    usageLimit: r.usage_limit,
    perCustomerLimit: r.per_customer_limit,
    budget: r.budget === null ? null : Number(r.budget),
    uses: r.uses,
    discountGiven: Number(r.discount_given),
    createdAt: toDate(r.created_at).toISOString(),
    updatedAt: toDate(r.updated_at).toISOString(),
  };
}

export interface PromotionInput {
  name?: string;
  description?: string | null;
  status?: 'draft' | 'active';
  priority?: number;
  stacking?: 'exclusive' | 'combinable';
  requiresCode?: boolean;
  reward?: unknown;
  conditions?: unknown;
  startsAt?: string | null;
  endsAt?: string | null;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  budget?: number | null;
}

/** Definitions change rarely and every priced cart reads them: kept per workspace for a few seconds. */
const RULES_TTL_MS = 5_000;
const rulesCache = new Map<string, { at: number; rows: repo.PromotionRow[] }>();

async function liveRows(ex: Executor, workspaceId: string): Promise<repo.PromotionRow[]> {
  const hit = rulesCache.get(workspaceId);
  if (hit && Date.now() - hit.at < RULES_TTL_MS) return hit.rows;
  const found = await repo.selectPromotions(ex, workspaceId, { statuses: ['active'] });
  if (rulesCache.size > 10_000) rulesCache.clear();
  rulesCache.set(workspaceId, { at: Date.now(), rows: found });
  return found;
}

async function checkedFields(ex: Executor, workspaceId: string, input: PromotionInput, base?: repo.PromotionRow): Promise<repo.PromotionFields> {
  const refs = emptyReferences();
  const name = input.name ?? base?.name;
  if (!name) throw new AppError('validation_failed', 'body.name: required', { field: 'name' });
  const rewardRaw = input.reward !== undefined ? input.reward : base?.reward;
  if (rewardRaw === undefined) throw new AppError('validation_failed', 'body.reward: required', { field: 'reward' });
  const reward = validated(() => parseReward(rewardRaw, refs));
  const conditionsRaw = input.conditions !== undefined ? input.conditions : (base?.conditions ?? null);
  const conditions = conditionsRaw === null ? null : validated(() => parseCondition(conditionsRaw, refs));
  const startsAt = input.startsAt !== undefined ? input.startsAt : iso(base?.starts_at ?? null);
  const endsAt = input.endsAt !== undefined ? input.endsAt : iso(base?.ends_at ?? null);
  if (startsAt && endsAt && new Date(endsAt) <= new Date(startsAt)) {
    throw new AppError('validation_failed', 'body.endsAt: must be after startsAt', { field: 'endsAt' });
  }
  await assertCatalogIdsExist(ex, workspaceId, {
    productIds: [...refs.productIds],
    categoryIds: [...refs.categoryIds],
    variantIds: [...refs.variantIds],
    channelIds: [...refs.channelIds],
  });
  return {
    name,
    description: input.description !== undefined ? input.description : (base?.description ?? null),
    status: input.status ?? base?.status ?? 'draft',
    priority: input.priority ?? base?.priority ?? 0,
    stacking: input.stacking ?? base?.stacking ?? 'combinable',
    requiresCode: input.requiresCode ?? base?.requires_code ?? false,
    reward,
    conditions,
    startsAt,
    endsAt,
    usageLimit: input.usageLimit !== undefined ? input.usageLimit : (base?.usage_limit ?? null),
    perCustomerLimit: input.perCustomerLimit !== undefined ? input.perCustomerLimit : (base?.per_customer_limit ?? null),
    budget: input.budget !== undefined ? input.budget : base?.budget === undefined || base.budget === null ? null : Number(base.budget),
  };
}

export async function createPromotion(ex: Executor, workspaceId: string, input: PromotionInput, actor: string): Promise<Promotion> {
  const fields = await checkedFields(ex, workspaceId, input);
  const id = newId('promo');
  const row = await ex.transaction(async (tx) => {
    const created = await repo.insertPromotion(tx, workspaceId, id, fields);
    await repo.insertAudit(tx, { workspaceId, id: newId('paud'), promotionId: id, actor, action: 'created', before: null, after: toPromotion(created) });
    return created;
  });
  rulesCache.delete(workspaceId);
  return toPromotion(row);
}

export async function getPromotion(ex: Executor, workspaceId: string, id: string): Promise<Promotion> {
  const row = await repo.selectPromotion(ex, workspaceId, id);
  if (!row) throw new AppError('promotion_not_found', `Promotion ${id} not found`);
  return toPromotion(row);
}

export async function listPromotions(ex: Executor, workspaceId: string, opts: { status?: PromotionStatus } = {}): Promise<Promotion[]> {
  const all = (await repo.selectPromotions(ex, workspaceId)).map(toPromotion);
  return opts.status ? all.filter((p) => p.status === opts.status) : all;
}

export async function updatePromotion(ex: Executor, workspaceId: string, id: string, input: PromotionInput, actor: string): Promise<Promotion> {
  const row = await ex.transaction(async (tx) => {
    const before = await repo.selectPromotion(tx, workspaceId, id, { forUpdate: true });
    if (!before) throw new AppError('promotion_not_found', `Promotion ${id} not found`);
    if (before.status === 'ended') throw new AppError('invalid_transition', `Promotion ${id} has ended; create a new one`);
    const { status: _ignored, ...rest } = input;
    const fields = await checkedFields(tx, workspaceId, rest, before);
    const after = await repo.updatePromotion(tx, workspaceId, id, fields);
    await repo.insertAudit(tx, { workspaceId, id: newId('paud'), promotionId: id, actor, action: 'updated', before: toPromotion(before), after: toPromotion(after) });
    return after;
  });
  rulesCache.delete(workspaceId);
  return toPromotion(row);
}

const NEXT: Record<string, string[]> = { draft: ['active', 'ended'], active: ['paused', 'ended'], paused: ['active', 'ended'], ended: [] };

export async function setPromotionStatus(ex: Executor, workspaceId: string, id: string, status: 'active' | 'paused' | 'ended' | 'draft', actor: string): Promise<Promotion> {
  const row = await ex.transaction(async (tx) => {
    const before = await repo.selectPromotion(tx, workspaceId, id, { forUpdate: true });
    if (!before) throw new AppError('promotion_not_found', `Promotion ${id} not found`);
    if (!NEXT[before.status]?.includes(status)) {
      throw new AppError('invalid_transition', `A ${before.status} promotion cannot become ${status} (allowed: ${NEXT[before.status]?.join(', ') || 'none'})`, {
        from: before.status,
        to: status,
      });
    }
    const after = await repo.updatePromotion(tx, workspaceId, id, { ...fieldsOf(before), status });
    await repo.insertAudit(tx, { workspaceId, id: newId('paud'), promotionId: id, actor, action: `status:${status}`, before: toPromotion(before), after: toPromotion(after) });
    return after;
  });
  rulesCache.delete(workspaceId);
  return toPromotion(row);
}

function fieldsOf(r: repo.PromotionRow): repo.PromotionFields {
  return {
    name: r.name,
    description: r.description,
    status: r.status,
    priority: r.priority,
    stacking: r.stacking,
    requiresCode: r.requires_code,
    reward: r.reward,
    conditions: r.conditions ?? null,
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    usageLimit: r.usage_limit,
    perCustomerLimit: r.per_customer_limit,
    budget: r.budget === null ? null : Number(r.budget),
  };
}

export async function getPromotionAudit(ex: Executor, workspaceId: string, id: string) {
  await getPromotion(ex, workspaceId, id);
  return (await repo.selectAudit(ex, workspaceId, id)).map((a) => ({ ...a, at: toDate(a.at).toISOString() }));
}

// Codes

/** Codes are compared without case and spaces: "tet 2027" = "TET2027". */
export function normalizeCode(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase();
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: read aloud and typed from paper

function randomCode(prefix: string, length: number): string {
  const raw = randomSecret('x', length * 2).slice(2);
  let out = '';
  for (const ch of raw) {
    out += CODE_ALPHABET[ch.charCodeAt(0) % CODE_ALPHABET.length];
    if (out.length === length) break;
  }
  return `${prefix}${out}`;
}

export async function createCodes(
  ex: Executor,
  workspaceId: string,
  promotionId: string,
  input: { code?: string; count?: number; prefix?: string; length?: number; maxUses?: number | null },
  actor: string,
): Promise<{ batchId: string | null; codes: string[] }> {
  const promotion = await getPromotion(ex, workspaceId, promotionId);
  if (!promotion.requiresCode) throw new AppError('validation_failed', `Promotion ${promotionId} is automatic: set requiresCode to give it codes`, { field: 'requiresCode' });
  if ((input.code === undefined) === (input.count === undefined)) {
    throw new AppError('validation_failed', 'body: give either code (one shared code) or count (a batch of unique codes)', { field: 'code' });
  }
  let created: string[];
  let batchId: string | null = null;
  if (input.code !== undefined) {
    const code = normalizeCode(input.code);
    if (!/^[A-Z0-9_-]{3,40}$/.test(code)) throw new AppError('validation_failed', 'body.code: 3–40 letters, digits, - or _', { field: 'code' });
    created = await repo.insertCodes(ex, workspaceId, [{ code, promotionId, batchId: null, maxUses: input.maxUses ?? null }]);
    if (created.length === 0) throw new AppError('conflict', `Code ${code} already exists`, { coupon: code });
  } else {
    batchId = newId('pbat');
    const prefix = normalizeCode(input.prefix ?? '');
    const length = input.length ?? 8;
    const want = input.count!;
    created = [];
    // Random codes rarely collide; insert in chunks and top up what a collision skipped.
    for (let attempt = 0; created.length < want && attempt < 10; attempt++) {
      const need = want - created.length;
      const chunk = new Set<string>();
      while (chunk.size < need) chunk.add(randomCode(prefix, length));
      const list = [...chunk].map((code) => ({ code, promotionId, batchId, maxUses: input.maxUses === undefined ? 1 : input.maxUses }));
      for (let i = 0; i < list.length; i += 5000) created.push(...(await repo.insertCodes(ex, workspaceId, list.slice(i, i + 5000))));
    }
    if (created.length < want) throw new AppError('conflict', `Only ${created.length} of ${want} unique codes could be made: use a longer length`, { created: created.length });
  }
  await repo.insertAudit(ex, { workspaceId, id: newId('paud'), promotionId, actor, action: 'codes', before: null, after: { batchId, count: created.length } });
  return { batchId, codes: created };
}

export async function listCodes(ex: Executor, workspaceId: string, promotionId: string, batchId?: string) {
  await getPromotion(ex, workspaceId, promotionId);
  return (await repo.selectCodesOf(ex, workspaceId, promotionId, batchId)).map((c) => ({
    code: c.code,
    batchId: c.batch_id,
    maxUses: c.max_uses,
    uses: c.uses,
    createdAt: toDate(c.created_at).toISOString(),
  }));
}

/** Why a code cannot be used now. */
export type CodeDenial = 'unknown_code' | 'code_used_up' | 'promotion_not_active' | 'promotion_ended' | 'promotion_scheduled';

/** A denied code: the reason, in words and as a need (for clients in other languages). */
export interface DeniedCode {
  code: string;
  reason: CodeDenial;
  message: string;
  need: PromotionNeed;
}

/** Map entered codes to their promotions; the rest get a reason. */
export async function resolveCodes(
  ex: Executor,
  workspaceId: string,
  codes: string[],
  now = new Date(),
): Promise<{ valid: { code: string; promotionId: string }[]; denied: DeniedCode[] }> {
  const normalized = [...new Set(codes.map(normalizeCode))];
  const found = new Map((await repo.selectCodes(ex, workspaceId, normalized)).map((c) => [c.code, c]));
  const promos = new Map((await repo.selectPromotions(ex, workspaceId, { ids: [...new Set([...found.values()].map((c) => c.promotion_id))] })).map((p) => [p.id, p]));
  const valid: { code: string; promotionId: string }[] = [];
  const denied: DeniedCode[] = [];
  for (const code of normalized) {
    const c = found.get(code);
    const p = c ? promos.get(c.promotion_id) : undefined;
    if (!c || !p) denied.push({ code, reason: 'unknown_code', message: `There is no code ${code}`, need: { code: 'code_unknown' } });
    else if (c.max_uses !== null && c.uses >= c.max_uses) denied.push({ code, reason: 'code_used_up', message: `Code ${code} has already been used`, need: { code: 'code_used_up' } });
    else {
      const status = shownStatus(p, now);
      if (status === 'ended') {
        const need: PromotionNeed = p.ends_at !== null ? { code: 'ended', at: iso(p.ends_at) ?? '' } : { code: 'not_active', status };
        denied.push({ code, reason: 'promotion_ended', message: `Code ${code}: the promotion has ended`, need });
      } else if (status === 'scheduled') {
        denied.push({ code, reason: 'promotion_scheduled', message: `Code ${code}: the promotion starts ${iso(p.starts_at)}`, need: { code: 'not_started', at: iso(p.starts_at) ?? '' } });
      } else if (status !== 'active') {
        denied.push({ code, reason: 'promotion_not_active', message: `Code ${code}: the promotion is not running`, need: { code: 'not_active', status } });
      }
      else valid.push({ code, promotionId: p.id });
    }
  }
  return { valid, denied };
}

// Rules for the engine

function toRule(r: repo.PromotionRow, customerUses: Map<string, number>, now: Date): PromotionRule {
  const uses = r.uses;
  return {
    id: r.id,
    name: r.name,
    priority: r.priority,
    stacking: r.stacking as PromotionRule['stacking'],
    requiresCode: r.requires_code,
    reward: r.reward as Reward,
    conditions: (r.conditions ?? null) as Condition | null,
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    status: shownStatus(r, now),
    usesLeft: r.usage_limit === null ? null : Math.max(r.usage_limit - uses, 0),
    customerUsesLeft: r.per_customer_limit === null ? null : Math.max(r.per_customer_limit - (customerUses.get(r.id) ?? 0), 0),
    budgetLeft: r.budget === null ? null : Math.max(Number(r.budget) - Number(r.discount_given), 0),
  };
}

/** Does the workspace run any promotion now (cached)? Pricing skips reading the customer when not. */
export async function hasLiveRules(ex: Executor, workspaceId: string): Promise<boolean> {
  return (await liveRows(ex, workspaceId)).length > 0;
}

/**
 * The rules to price with: every active promotion (definitions cached a few seconds), with
 * what is left of its limits for this customer. `lockIds` re-reads those rows under FOR UPDATE
 * (order time), so their counters are exact.
 */
export async function loadRules(
  ex: Executor,
  opts: { workspaceId: string; profileIds: string[]; now: Date; lockIds?: string[] },
): Promise<PromotionRule[]> {
  let rowsNow = await liveRows(ex, opts.workspaceId);
  if (opts.lockIds && opts.lockIds.length > 0) {
    const locked = await repo.selectPromotions(ex, opts.workspaceId, { ids: [...opts.lockIds].sort(), forUpdate: true });
    const byId = new Map(locked.map((r) => [r.id, r]));
    rowsNow = [...rowsNow.filter((r) => !byId.has(r.id)), ...locked];
  }
  const limited = rowsNow.filter((r) => r.per_customer_limit !== null).map((r) => r.id);
  const customerUses = await repo.countCustomerUses(ex, opts.workspaceId, limited, opts.profileIds);
  return rowsNow.map((r) => toRule(r, customerUses, opts.now));
}

/** Count what an order redeemed (the caller priced it with `loadRules(lockIds)` in this transaction). */
export async function recordRedemptions(
  ex: Executor,
  r: {
    workspaceId: string;
    orderId: string;
    profileId: string | null;
    channelId: string;
    orderTotal: number;
    applied: { promotionId: string; amount: number; code: string | null }[];
  },
): Promise<void> {
  for (const a of [...r.applied].sort((x, y) => (x.promotionId < y.promotionId ? -1 : 1))) {
    if (a.code !== null && !(await repo.addCodeUse(ex, r.workspaceId, a.code))) {
      throw new AppError('promotion_unavailable', `Code ${a.code} has just been used up; price the cart again`, { coupon: a.code });
    }
    await repo.addUse(ex, r.workspaceId, a.promotionId, a.amount);
    await repo.insertRedemption(ex, {
      workspaceId: r.workspaceId,
      id: newId('pred'),
      promotionId: a.promotionId,
      code: a.code,
      orderId: r.orderId,
      profileId: r.profileId,
      channelId: r.channelId,
      amount: a.amount,
      orderTotal: r.orderTotal,
    });
  }
}

/**
 * Erasure: the person's redemptions lose their profile id. The rows stay — the promotion's uses,
 * budget and report per channel are the merchant's accounting, and cancelling one of the (kept)
 * orders must still give its use back — but they stop counting toward any per-customer limit:
 * nobody can be matched to them any more. Someone who returns under identifiers Omni has not seen
 * is a new customer (their erased ones stay suppressed), as with any new customer.
 */
export function detachRedemptionsFromProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<number> {
  return repo.detachRedemptions(ex, workspaceId, profileIds);
}

export async function reverseRedemptions(ex: Executor, workspaceId: string, orderId: string): Promise<number> {
  const n = await repo.reverseRedemptions(ex, workspaceId, orderId);
  if (n > 0) rulesCache.delete(workspaceId);
  return n;
}

/** Lock the codes an order uses (in code order), so a single-use code goes to one order. */
export async function lockCodes(ex: Executor, workspaceId: string, codes: string[]): Promise<void> {
  await repo.selectCodes(ex, workspaceId, [...new Set(codes.map(normalizeCode))].sort(), { forUpdate: true });
}

export interface PromotionReport {
  promotionId: string;
  uses: number;
  customers: number;
  discountGiven: number;
  revenue: number;
  byChannel: { channelId: string; uses: number; customers: number; discountGiven: number; revenue: number }[];
}

export async function getPromotionReport(ex: Executor, workspaceId: string, id: string): Promise<PromotionReport> {
  await getPromotion(ex, workspaceId, id);
  const [byChannel, customers] = await Promise.all([repo.selectReport(ex, workspaceId, id), repo.countCustomersTotal(ex, workspaceId, id)]);
  const list = byChannel.map((r) => ({ channelId: r.channel_id, uses: r.uses, customers: r.customers, discountGiven: Number(r.discount), revenue: Number(r.revenue) }));
  return {
    promotionId: id,
    uses: list.reduce((n, r) => n + r.uses, 0),
    customers,
    discountGiven: list.reduce((n, r) => n + r.discountGiven, 0),
    revenue: list.reduce((n, r) => n + r.revenue, 0),
    byChannel: list,
  };
}

/** Coupon Applied / Coupon Denied on the customer's timeline. */
export async function recordCouponEvents(
  ex: Executor,
  e: { workspaceId: string; profileId: string; channelType: string; sourceId: string | null; cartId: string | null; outcomes: { code: string; applied: boolean; promotionId?: string; reason?: string; discount?: number }[] },
): Promise<void> {
  const now = new Date();
  await recordEvents(
    ex,
    e.outcomes.map((o, i) => ({
      workspaceId: e.workspaceId,
      profileId: e.profileId,
      messageId: `coupon:${e.cartId ?? 'none'}:${o.code}:${now.getTime()}:${i}`,
      event: o.applied ? 'Coupon Applied' : 'Coupon Denied',
      properties: {
        cart_id: e.cartId,
        coupon_id: o.code,
        coupon_name: o.code,
        ...(o.promotionId ? { promotion_id: o.promotionId } : {}),
        ...(o.applied ? { discount: o.discount ?? 0 } : { reason: o.reason }),
      },
      channel: e.channelType,
      sourceId: e.sourceId,
      timestamp: now,
    })),
  );
}

/** A cancelled order gives its promotion uses, code uses and budget back (domain-log consumer). */
export function startRedemptionReversalConsumer(db: Database, log: FastifyBaseLogger): Promise<Consumer> {
  return startConsumer({
    db,
    log,
    name: 'promotions.reversals',
    handle: async (tx, entries) => {
      for (const e of entries) {
        if (e.type !== 'order.status_changed' || !e.ref) continue;
        const to = (e.data as { to?: unknown } | null)?.to;
        if (to === 'cancelled') await reverseRedemptions(tx, e.workspaceId, e.ref);
      }
    },
  });
}
