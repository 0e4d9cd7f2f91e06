/**
 * Live stock: a console subscribed to a workspace's stock hears which SKUs changed whenever any
 * channel, order, reservation, adjustment or server process changes a level.
 *
 * Every change of a level NOTIFYs `omni_stock` in its own statement (see inventory.repo), so the
 * notice is delivered at commit and dropped on rollback. Each process LISTENs once (the same
 * `db.listen` the live carts use) and fans out to its subscribers. Notices for one workspace are
 * coalesced for `flushMs`: a burst of sales is one message naming every SKU that changed.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client';
import { getVariantsByIds } from '../catalog';
import { STOCK_NOTIFY_CHANNEL } from './inventory.repo';

export interface StockChange {
  skus: string[];
}

export interface StockSubscription {
  workspaceId: string;
  send(change: StockChange): void;
  /** The hub is stopping (server shutdown). */
  close(): void;
}

export class StockHub {
  private readonly byWorkspace = new Map<string, Set<StockSubscription>>();
  private readonly pending = new Map<string, Set<string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
    private readonly flushMs = 150,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(STOCK_NOTIFY_CHANNEL, (payload) => this.onNotify(payload));
  }

  /** How many clients are subscribed in this process. */
  get size(): number {
    let n = 0;
    for (const set of this.byWorkspace.values()) n += set.size;
    return n;
  }

  /** Subscribe; returns the unsubscribe function. */
  subscribe(sub: StockSubscription): () => void {
    let set = this.byWorkspace.get(sub.workspaceId);
    if (!set) this.byWorkspace.set(sub.workspaceId, (set = new Set()));
    set.add(sub);
    return () => {
      set.delete(sub);
      if (set.size === 0) this.byWorkspace.delete(sub.workspaceId);
    };
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    for (const set of this.byWorkspace.values()) for (const sub of set) sub.close();
    this.byWorkspace.clear();
  }

  private onNotify(payload: string): void {
    let msg: { w?: unknown; v?: unknown };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.w !== 'string' || !Array.isArray(msg.v) || !this.byWorkspace.has(msg.w)) return;
    const workspaceId = msg.w;
    let set = this.pending.get(workspaceId);
    if (!set) this.pending.set(workspaceId, (set = new Set()));
    for (const v of msg.v) if (typeof v === 'string') set.add(v);
    if (!this.timers.has(workspaceId)) {
      const timer = setTimeout(() => void this.flush(workspaceId), this.flushMs);
      timer.unref();
      this.timers.set(workspaceId, timer);
    }
  }

  private async flush(workspaceId: string): Promise<void> {
    this.timers.delete(workspaceId);
    const variantIds = [...(this.pending.get(workspaceId) ?? [])];
    this.pending.delete(workspaceId);
    const subs = this.byWorkspace.get(workspaceId);
    if (!subs || variantIds.length === 0) return;
    try {
      const variants = await getVariantsByIds(this.db.orm, workspaceId, variantIds);
      const change = { skus: [...variants.values()].map((v) => v.sku).sort() };
      for (const sub of subs) sub.send(change);
    } catch (err) {
      this.log.warn({ err, workspaceId }, 'live stock delivery failed');
    }
  }
}
