/**
 * Live carts: a client subscribed to a customer's cart receives the new cart whenever any
 * device, channel or server process changes it.
 *
 * Every change NOTIFYs `omni_cart` inside its transaction (delivered at commit, dropped on
 * rollback). Each server process LISTENs once (PostgreSQL: one shared connection; PGlite: in
 * process) and pushes the cart, priced for each subscriber's channel, to the subscribers of the
 * profiles named. A burst of changes to one cart is coalesced: a subscriber gets the newest
 * cart, never a stale one after a newer one.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client';
import type { SalesChannel } from '../catalog';
import { CART_NOTIFY_CHANNEL, getCart, guestMayReachCart, type Cart } from './carts.service';

export interface CartSubscription {
  workspaceId: string;
  /** null: a guest who has written nothing yet; the first change by `device` names the profile. */
  profileId: string | null;
  /** A guest's device (its writer key): it follows the cart only while it is the cart's only writer. */
  device?: string;
  /** Prices the cart for this channel (absent: the channel that changed it last). */
  channel?: SalesChannel;
  send(cart: Cart): void;
  /** The cart is no longer this guest's alone: sign-in is needed from here on. */
  refuse(): void;
  /** The hub is stopping (server shutdown). */
  close(): void;
}

interface Sub extends CartSubscription {
  loading: boolean;
  again: boolean;
  lastVersion: number;
  lastId: string | null;
}

export class CartHub {
  private readonly byProfile = new Map<string, Set<Sub>>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(CART_NOTIFY_CHANNEL, (payload) => this.onNotify(payload));
  }

  /** How many clients are subscribed in this process. */
  get size(): number {
    let n = 0;
    for (const set of this.byProfile.values()) n += set.size;
    return n;
  }

  /** Subscribe; returns the unsubscribe function. The caller sends the initial cart itself. */
  subscribe(s: CartSubscription, initial?: Cart): () => void {
    const sub: Sub = { ...s, loading: false, again: false, lastVersion: initial?.version ?? -1, lastId: initial?.id ?? null };
    this.add(sub);
    return () => this.remove(sub);
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    for (const set of this.byProfile.values()) for (const sub of set) sub.close();
    this.byProfile.clear();
  }

  private key(workspaceId: string, profileId: string): string {
    return `${workspaceId}:${profileId}`;
  }

  /** A guest without a profile waits under its device until its first change. */
  private keyOf(sub: Sub): string {
    return sub.profileId === null ? `${sub.workspaceId}:${sub.device ?? ''}` : this.key(sub.workspaceId, sub.profileId);
  }

  private add(sub: Sub): void {
    const k = this.keyOf(sub);
    let set = this.byProfile.get(k);
    if (!set) this.byProfile.set(k, (set = new Set()));
    set.add(sub);
  }

  private remove(sub: Sub): void {
    const k = this.keyOf(sub);
    const set = this.byProfile.get(k);
    set?.delete(sub);
    if (set?.size === 0) this.byProfile.delete(k);
  }

  private onNotify(payload: string): void {
    let msg: { w?: unknown; p?: unknown; d?: unknown };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.w !== 'string' || !Array.isArray(msg.p)) return;
    // A guest's first change: its waiting streams now follow the profile it made.
    const [first] = msg.p;
    if (typeof msg.d === 'string' && typeof first === 'string') {
      for (const sub of [...(this.byProfile.get(`${msg.w}:${msg.d}`) ?? [])]) {
        if (sub.profileId !== null) continue;
        this.remove(sub);
        sub.profileId = first;
        this.add(sub);
      }
    }
    for (const p of msg.p) {
      if (typeof p !== 'string') continue;
      for (const sub of this.byProfile.get(this.key(msg.w, p)) ?? []) void this.deliver(sub);
    }
  }

  private async deliver(sub: Sub): Promise<void> {
    if (sub.loading) {
      sub.again = true;
      return;
    }
    sub.loading = true;
    try {
      do {
        sub.again = false;
        if (sub.profileId === null) return;
        if (sub.device && !(await guestMayReachCart(this.db.orm, { workspaceId: sub.workspaceId, profileId: sub.profileId, device: sub.device }))) {
          this.remove(sub);
          sub.refuse();
          return;
        }
        const cart = await getCart(this.db, { workspaceId: sub.workspaceId, profileId: sub.profileId, ...(sub.channel ? { channel: sub.channel } : {}) });
        // A merge moved the customer to a surviving profile: follow it.
        if (cart.profileId && cart.profileId !== sub.profileId) {
          this.remove(sub);
          sub.profileId = cart.profileId;
          this.add(sub);
        }
        if (cart.id !== sub.lastId || cart.version !== sub.lastVersion) {
          sub.lastId = cart.id;
          sub.lastVersion = cart.version;
          sub.send(cart);
        }
      } while (sub.again);
    } catch (err) {
      this.log.warn({ err, workspaceId: sub.workspaceId, profileId: sub.profileId }, 'live cart delivery failed');
    } finally {
      sub.loading = false;
    }
  }
}
