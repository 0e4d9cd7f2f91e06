/** The only file with SQL for promotions, promotion_codes, promotion_redemptions and promotion_audit. */
import { sql, type SQL } from 'drizzle-orm';
import { anyOf, firstRow, rows, type Executor } from '../../db/client';

export interface PromotionRow {
  id: string;
  name: string;
  description: string | null;
  status: string;
  priority: number;
  stacking: string;
  requires_code: boolean;
  reward: unknown;
  conditions: unknown;
  starts_at: Date | string | null;
  ends_at: Date | string | null;
  usage_limit: number | null;
  per_customer_limit: number | null;
  budget: number | null;
  uses: number;
  discount_given: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = sql.raw(
  'id, name, description, status, priority, stacking, requires_code, reward, conditions, starts_at, ends_at, usage_limit, per_customer_limit, budget, uses, discount_given, created_at, updated_at',
);

export interface PromotionFields {
  name: string;
  description: string | null;
  status: string;
  priority: number;
  stacking: string;
  requiresCode: boolean;
  reward: unknown;
  conditions: unknown;
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  budget: number | null;
}

const json = (v: unknown): SQL => (v === null || v === undefined ? sql`NULL` : sql`${JSON.stringify(v)}::jsonb`);

export async function insertPromotion(ex: Executor, workspaceId: string, id: string, f: PromotionFields): Promise<PromotionRow> {
  const row = await firstRow<PromotionRow>(
    ex,
    sql`INSERT INTO promotions (workspace_id, id, name, description, status, priority, stacking, requires_code, reward, conditions,
          starts_at, ends_at, usage_limit, per_customer_limit, budget)
        VALUES (${workspaceId}, ${id}, ${f.name}, ${f.description}, ${f.status}, ${f.priority}, ${f.stacking}, ${f.requiresCode},
          ${json(f.reward)}, ${json(f.conditions)}, ${f.startsAt}::timestamptz, ${f.endsAt}::timestamptz, ${f.usageLimit}, ${f.perCustomerLimit}, ${f.budget})
        RETURNING ${COLUMNS}`,
  );
  return row!;
}

export async function updatePromotion(ex: Executor, workspaceId: string, id: string, f: PromotionFields): Promise<PromotionRow> {
  const row = await firstRow<PromotionRow>(
    ex,
    sql`UPDATE promotions SET name = ${f.name}, description = ${f.description}, status = ${f.status}, priority = ${f.priority},
          stacking = ${f.stacking}, requires_code = ${f.requiresCode}, reward = ${json(f.reward)}, conditions = ${json(f.conditions)},
          starts_at = ${f.startsAt}::timestamptz, ends_at = ${f.endsAt}::timestamptz, usage_limit = ${f.usageLimit},
          per_customer_limit = ${f.perCustomerLimit}, budget = ${f.budget}, updated_at = now()
        WHERE workspace_id = ${workspaceId} AND id = ${id}
        RETURNING ${COLUMNS}`,
  );
  if (!row) throw new Error(`promotion ${id} vanished during an update`);
  return row;
}

export async function selectPromotion(ex: Executor, workspaceId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<PromotionRow | undefined> {
  return firstRow<PromotionRow>(
    ex,
    sql`SELECT ${COLUMNS} FROM promotions WHERE workspace_id = ${workspaceId} AND id = ${id} ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
}

export async function selectPromotions(ex: Executor, workspaceId: string, opts: { statuses?: string[]; ids?: string[]; forUpdate?: boolean } = {}): Promise<PromotionRow[]> {
  return rows<PromotionRow>(
    ex,
    sql`SELECT ${COLUMNS} FROM promotions WHERE workspace_id = ${workspaceId}
        ${opts.statuses ? sql`AND status = ${anyOf(opts.statuses)}` : sql``}
        ${opts.ids ? sql`AND id = ${anyOf(opts.ids)}` : sql``}
        ORDER BY priority DESC, id
        ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
}

/** How many times this customer (any of their profile ids) used each promotion. */
export async function countCustomerUses(ex: Executor, workspaceId: string, promotionIds: string[], profileIds: string[]): Promise<Map<string, number>> {
  if (promotionIds.length === 0 || profileIds.length === 0) return new Map();
  const found = await rows<{ promotion_id: string; n: number }>(
    ex,
    sql`SELECT promotion_id, count(*)::int AS n FROM promotion_redemptions
        WHERE workspace_id = ${workspaceId} AND promotion_id = ${anyOf(promotionIds)} AND profile_id = ${anyOf(profileIds)} AND status = 'applied'
        GROUP BY promotion_id`,
  );
  return new Map(found.map((r) => [r.promotion_id, r.n]));
}

/** Count a redemption on the promotion row (the caller holds its lock and has checked the limits). */
export async function addUse(ex: Executor, workspaceId: string, id: string, amount: number): Promise<void> {
  await ex.execute(sql`UPDATE promotions SET uses = uses + 1, discount_given = discount_given + ${amount} WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

export async function insertRedemption(
  ex: Executor,
  r: { workspaceId: string; id: string; promotionId: string; code: string | null; orderId: string; profileId: string | null; channelId: string; amount: number; orderTotal: number },
): Promise<void> {
  await ex.execute(
    sql`INSERT INTO promotion_redemptions (workspace_id, id, promotion_id, code, order_id, profile_id, channel_id, amount, order_total)
        VALUES (${r.workspaceId}, ${r.id}, ${r.promotionId}, ${r.code}, ${r.orderId}, ${r.profileId}, ${r.channelId}, ${r.amount}, ${r.orderTotal})`,
  );
}

/** Erasure: these profiles' redemptions stay for the promotion's report and reversals, without the customer. */
export async function detachRedemptions(ex: Executor, workspaceId: string, profileIds: string[]): Promise<number> {
  if (profileIds.length === 0) return 0;
  const found = await rows<{ id: string }>(
    ex,
    sql`UPDATE promotion_redemptions SET profile_id = NULL
        WHERE workspace_id = ${workspaceId} AND profile_id = ${anyOf(profileIds)}
        RETURNING id`,
  );
  return found.length;
}

/** Reverse an order's redemptions (cancelled order): counters go back, rows are marked reversed. */
export async function reverseRedemptions(ex: Executor, workspaceId: string, orderId: string): Promise<number> {
  const reversed = await rows<{ promotion_id: string; code: string | null; amount: number }>(
    ex,
    sql`UPDATE promotion_redemptions SET status = 'reversed'
        WHERE workspace_id = ${workspaceId} AND order_id = ${orderId} AND status = 'applied'
        RETURNING promotion_id, code, amount`,
  );
  for (const r of [...reversed].sort((a, b) => (a.promotion_id < b.promotion_id ? -1 : 1))) {
    await ex.execute(
      sql`UPDATE promotions SET uses = GREATEST(uses - 1, 0), discount_given = GREATEST(discount_given - ${r.amount}, 0)
          WHERE workspace_id = ${workspaceId} AND id = ${r.promotion_id}`,
    );
    if (r.code) await ex.execute(sql`UPDATE promotion_codes SET uses = GREATEST(uses - 1, 0) WHERE workspace_id = ${workspaceId} AND code = ${r.code}`);
  }
  return reversed.length;
}

// Codes

export interface CodeRow {
  code: string;
  promotion_id: string;
  batch_id: string | null;
  max_uses: number | null;
  uses: number;
  created_at: Date | string;
}

export async function selectCodes(ex: Executor, workspaceId: string, codes: string[], opts: { forUpdate?: boolean } = {}): Promise<CodeRow[]> {
  if (codes.length === 0) return [];
  return rows<CodeRow>(
    ex,
    sql`SELECT code, promotion_id, batch_id, max_uses, uses, created_at FROM promotion_codes
        WHERE workspace_id = ${workspaceId} AND code = ${anyOf(codes)} ORDER BY code ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
}

/** Insert codes, skipping any that exist; returns the ones inserted. */
export async function insertCodes(
  ex: Executor,
  workspaceId: string,
  list: { code: string; promotionId: string; batchId: string | null; maxUses: number | null }[],
): Promise<string[]> {
  if (list.length === 0) return [];
  const inserted = await rows<{ code: string }>(
    ex,
    sql`INSERT INTO promotion_codes (workspace_id, code, promotion_id, batch_id, max_uses)
        SELECT ${workspaceId}, x->>'code', x->>'promotionId', x->>'batchId', (x->>'maxUses')::int
        FROM jsonb_array_elements(${JSON.stringify(list)}::jsonb) AS x
        ON CONFLICT (workspace_id, code) DO NOTHING
        RETURNING code`,
  );
  return inserted.map((r) => r.code);
}

export async function selectCodesOf(ex: Executor, workspaceId: string, promotionId: string, batchId?: string): Promise<CodeRow[]> {
  return rows<CodeRow>(
    ex,
    sql`SELECT code, promotion_id, batch_id, max_uses, uses, created_at FROM promotion_codes
        WHERE workspace_id = ${workspaceId} AND promotion_id = ${promotionId} ${batchId ? sql`AND batch_id = ${batchId}` : sql``}
        ORDER BY created_at, code`,
  );
}

export async function addCodeUse(ex: Executor, workspaceId: string, code: string): Promise<boolean> {
  const r = await firstRow<{ code: string }>(
    ex,
    sql`UPDATE promotion_codes SET uses = uses + 1
        WHERE workspace_id = ${workspaceId} AND code = ${code} AND (max_uses IS NULL OR uses < max_uses)
        RETURNING code`,
  );
  return r !== undefined;
}

// Audit and report

export async function insertAudit(
  ex: Executor,
  a: { workspaceId: string; id: string; promotionId: string; actor: string; action: string; before: unknown; after: unknown },
): Promise<void> {
  await ex.execute(
    sql`INSERT INTO promotion_audit (workspace_id, id, promotion_id, actor, action, before, after)
        VALUES (${a.workspaceId}, ${a.id}, ${a.promotionId}, ${a.actor}, ${a.action}, ${json(a.before)}, ${json(a.after)})`,
  );
}

export async function selectAudit(ex: Executor, workspaceId: string, promotionId: string): Promise<{ id: string; actor: string; action: string; before: unknown; after: unknown; at: Date | string }[]> {
  return rows(
    ex,
    sql`SELECT id, actor, action, before, after, at FROM promotion_audit
        WHERE workspace_id = ${workspaceId} AND promotion_id = ${promotionId} ORDER BY at, id`,
  );
}

export async function selectReport(
  ex: Executor,
  workspaceId: string,
  promotionId: string,
): Promise<{ channel_id: string; uses: number; customers: number; discount: number; revenue: number }[]> {
  return rows(
    ex,
    sql`SELECT channel_id, count(*)::int AS uses, count(DISTINCT profile_id)::int AS customers,
               COALESCE(sum(amount), 0)::bigint AS discount, COALESCE(sum(order_total), 0)::bigint AS revenue
        FROM promotion_redemptions
        WHERE workspace_id = ${workspaceId} AND promotion_id = ${promotionId} AND status = 'applied'
        GROUP BY channel_id ORDER BY channel_id`,
  );
}

export async function countCustomersTotal(ex: Executor, workspaceId: string, promotionId: string): Promise<number> {
  const r = await firstRow<{ n: number }>(
    ex,
    sql`SELECT count(DISTINCT profile_id)::int AS n FROM promotion_redemptions
        WHERE workspace_id = ${workspaceId} AND promotion_id = ${promotionId} AND status = 'applied'`,
  );
  return r?.n ?? 0;
}
