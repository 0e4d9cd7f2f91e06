/**
 * Omni browser SDK (no framework). Served by the server as one script at `/sdk/omni.js`:
 *
 *   <script src="https://omni.example.vn/sdk/omni.js"></script>
 *   const omni = Omni.init({ host: 'https://omni.example.vn', writeKey: 'wk_…' });
 *   omni.track('Product Viewed', { sku: 'AO-THUN-01' });
 *   omni.cart.add('AO-THUN-01');
 *   omni.cart.subscribe((cart) => render(cart));   // live: changes from any device or channel
 *
 * Analytics follow the Segment spec (identify / track / page), batched to `/v1/batch` with
 * retries; the anonymous id lives in a first-party cookie. The cart client talks to the store
 * API with the shopper's anonymous id, or the customer token the shop's backend mints at
 * sign-in (`setCustomerToken`).
 */

export interface OmniOptions {
  /** Where Omni runs, e.g. https://omni.example.vn (default: the page's origin). */
  host?: string;
  writeKey: string;
  /** Send when this many events wait (default 20). */
  flushAt?: number;
  /** …or after this long (ms, default 1000). */
  flushIntervalMs?: number;
  /**
   * Also answer as `window.analytics` (the name Segment's analytics.js uses), so pages already
   * calling `analytics.track(…)` send to Omni. Default true; never replaces an existing one.
   */
  exposeAnalytics?: boolean;
  /**
   * Use this anonymous id (e.g. one your backend issued) instead of the stored or a new one; it
   * is stored as usual, so later pages find it. Default: the stored one, else a new UUID.
   */
  anonymousId?: string;
}

export interface CartLine {
  sku: string;
  title: string;
  quantity: number;
  unitPrice: number;
  discount: number;
  total: number;
  available: number;
}

export interface Cart {
  id: string | null;
  version: number;
  currency: string;
  lines: CartLine[];
  itemCount: number;
  subtotal: number;
  discountTotal: number;
  total: number;
  promotions: { name: string; amount: number }[];
  checkout: { step: string };
}

type Json = Record<string, unknown>;

const COOKIE = 'omni_aid';

function newId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** The anonymous id: a first-party cookie for a year (localStorage when cookies are off). */
function anonymousIdOf(given: string | undefined): string {
  const m = document.cookie.match(/(?:^|;\s*)omni_aid=([^;]+)/);
  if (m?.[1] && (given === undefined || decodeURIComponent(m[1]) === given)) return decodeURIComponent(m[1]);
  let id: string | null = given ?? null;
  try {
    id ??= localStorage.getItem(COOKIE);
  } catch {
    /* storage blocked */
  }
  id ??= newId();
  document.cookie = `${COOKIE}=${encodeURIComponent(id)}; Max-Age=${365 * 24 * 3600}; Path=/; SameSite=Lax`;
  try {
    localStorage.setItem(COOKIE, id);
  } catch {
    /* storage blocked */
  }
  return id;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class OmniError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Json,
  ) {
    super(message);
  }
}

class Analytics {
  private queue: Json[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending: Promise<void> = Promise.resolve();
  userId: string | undefined;

  constructor(
    private readonly host: string,
    private readonly writeKey: string,
    private readonly anonymousId: string,
    private readonly flushAt: number,
    private readonly flushIntervalMs: number,
  ) {
    addEventListener('pagehide', () => this.beacon());
  }

  enqueue(message: Json): void {
    this.queue.push({
      ...message,
      anonymousId: this.anonymousId,
      ...(this.userId ? { userId: this.userId } : {}),
      messageId: newId(),
      timestamp: new Date().toISOString(),
      context: { library: { name: 'omni-browser', version: '0.1.0' }, page: { url: location.href, title: document.title, referrer: document.referrer }, userAgent: navigator.userAgent },
    });
    if (this.queue.length >= this.flushAt) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs);
  }

  /** Send what waits; retried with backoff on network errors, 429 and 5xx (the message ids make retries safe). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, 500);
    if (batch.length === 0) return this.sending;
    this.sending = this.sending.then(async () => {
      for (let attempt = 0; attempt < 6; attempt++) {
        try {
          const res = await fetch(`${this.host}/v1/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${this.writeKey}:`)}` },
            body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
            keepalive: true,
          });
          if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429)) return;
        } catch {
          /* offline: retry */
        }
        await sleep(Math.min(500 * 2 ** attempt, 8000));
      }
    });
    return this.sending;
  }

  private beacon(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0);
    navigator.sendBeacon(`${this.host}/v1/batch`, JSON.stringify({ batch, writeKey: this.writeKey, sentAt: new Date().toISOString() }));
  }
}

class CartClient {
  private version = 0;
  private listeners = new Set<(cart: Cart) => void>();
  private source: EventSource | undefined;

  constructor(private readonly omni: Omni) {}

  private headers(): Record<string, string> {
    const token = this.omni.customerToken;
    return { 'content-type': 'application/json', 'x-omni-write-key': this.omni.writeKey, ...(token ? { 'x-omni-customer-token': token } : { 'x-omni-anonymous-id': this.omni.anonymousId }) };
  }

  private seen(cart: Cart): Cart {
    if (cart.version >= this.version || cart.id === null) this.version = cart.version;
    for (const l of this.listeners) l(cart);
    return cart;
  }

  private async request(method: string, path: string, body?: Json, retried = false): Promise<Cart> {
    const res = await fetch(`${this.omni.host}/store/v1/cart${path}`, { method, headers: this.headers(), ...(body ? { body: JSON.stringify(body) } : {}) });
    const json = (await res.json()) as Json;
    if (res.ok) return this.seen(json as unknown as Cart);
    const error = (json.error ?? {}) as { code?: string; message?: string; cart?: Cart };
    // Another device changed the cart first: take its version and apply ours on top, once.
    if (error.code === 'cart_conflict' && error.cart && !retried) {
      this.seen(error.cart);
      return this.request(method, path, body ? { ...body, version: this.version } : body, true);
    }
    throw new OmniError(res.status, error.code ?? 'error', error.message ?? res.statusText, json);
  }

  get(): Promise<Cart> {
    return this.request('GET', '');
  }
  add(sku: string, quantity = 1): Promise<Cart> {
    return this.request('POST', '/lines', { sku, quantity, version: this.version });
  }
  set(sku: string, quantity: number): Promise<Cart> {
    return this.request('PUT', `/lines/${encodeURIComponent(sku)}`, { quantity, version: this.version });
  }
  remove(sku: string): Promise<Cart> {
    return this.request('DELETE', `/lines/${encodeURIComponent(sku)}`);
  }
  clear(): Promise<Cart> {
    return this.request('DELETE', '/lines');
  }
  addCode(code: string): Promise<Cart> {
    return this.request('POST', '/codes', { code, version: this.version });
  }
  removeCode(code: string): Promise<Cart> {
    return this.request('DELETE', `/codes/${encodeURIComponent(code)}`);
  }
  checkout(step: 'started' | 'shipping' | 'payment' | 'payment_failed' | 'cancelled', fields: Json = {}): Promise<Cart> {
    return this.request('POST', '/checkout', { step, ...fields });
  }
  /** Place the order; the idempotency key makes a retried click safe. */
  async placeOrder(idempotencyKey: string = newId()): Promise<Json> {
    const res = await fetch(`${this.omni.host}/store/v1/cart/order`, { method: 'POST', headers: this.headers(), body: JSON.stringify({ idempotencyKey }) });
    const json = (await res.json()) as Json;
    if (!res.ok) {
      const error = (json.error ?? {}) as { code?: string; message?: string };
      throw new OmniError(res.status, error.code ?? 'error', error.message ?? res.statusText, json);
    }
    void this.get();
    return json;
  }

  /** Live: `listener` gets the cart now and after every change, from any device or channel. */
  subscribe(listener: (cart: Cart) => void): () => void {
    this.listeners.add(listener);
    if (!this.source) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Who is shopping changed (sign-in, sign-out): follow the new cart. */
  reconnect(): void {
    this.version = 0;
    if (!this.source) return;
    this.close();
    this.open();
  }

  private open(): void {
    const q = new URLSearchParams({ writeKey: this.omni.writeKey });
    if (this.omni.customerToken) q.set('customerToken', this.omni.customerToken);
    else q.set('anonymousId', this.omni.anonymousId);
    const source = new EventSource(`${this.omni.host}/store/v1/cart/stream?${q}`);
    source.addEventListener('cart', (e) => this.seen(JSON.parse((e as MessageEvent<string>).data) as Cart));
    // Someone else wrote to this guest's cart: it now takes a signed-in customer (setCustomerToken reconnects).
    source.addEventListener('refused', () => this.close());
    this.source = source;
  }

  private close(): void {
    this.source?.close();
    this.source = undefined;
  }
}

export class Omni {
  readonly host: string;
  readonly writeKey: string;
  readonly anonymousId: string;
  customerToken: string | null = null;
  readonly cart: CartClient;
  private readonly analytics: Analytics;

  constructor(options: OmniOptions) {
    this.host = (options.host ?? location.origin).replace(/\/$/, '');
    this.writeKey = options.writeKey;
    this.anonymousId = anonymousIdOf(options.anonymousId);
    this.analytics = new Analytics(this.host, this.writeKey, this.anonymousId, options.flushAt ?? 20, options.flushIntervalMs ?? 1000);
    this.cart = new CartClient(this);
  }

  /** `identify(userId, traits?)` or, as analytics.js allows, `identify(traits)` for the current user. */
  identify(userIdOrTraits?: string | Json | null, traits: Json = {}): void {
    if (userIdOrTraits && typeof userIdOrTraits === 'object') return this.identify(undefined, userIdOrTraits);
    if (userIdOrTraits) this.analytics.userId = userIdOrTraits;
    this.analytics.enqueue({ type: 'identify', traits });
  }
  track(event: string, properties: Json = {}): void {
    this.analytics.enqueue({ type: 'track', event, properties });
  }
  /** `page()`, `page(name, properties?)` or, as analytics.js allows, `page(category, name, properties?)`. */
  page(nameOrCategory?: string | Json, nameOrProperties?: string | Json, properties?: Json): void {
    let name: string | undefined;
    let category: string | undefined;
    let props: Json = {};
    if (typeof nameOrCategory === 'object') props = nameOrCategory;
    else if (typeof nameOrProperties === 'string') [category, name, props] = [nameOrCategory, nameOrProperties, properties ?? {}];
    else [name, props] = [nameOrCategory, nameOrProperties ?? {}];
    const context = { url: location.href, path: location.pathname, title: document.title, referrer: document.referrer };
    this.analytics.enqueue({ type: 'page', ...(name ? { name } : {}), ...(category ? { category } : {}), properties: { ...context, ...(category ? { category } : {}), ...props } });
  }
  /** Send queued events now. */
  flush(): Promise<void> {
    return this.analytics.flush();
  }
  /** The token your backend minted at sign-in (POST /api/v1/customer-tokens); null at sign-out. */
  setCustomerToken(token: string | null): void {
    this.customerToken = token;
    this.cart.reconnect();
  }
}

export function init(options: OmniOptions): Omni {
  const omni = new Omni(options);
  const w = window as unknown as { analytics?: unknown };
  if (options.exposeAnalytics !== false && w.analytics === undefined) w.analytics = omni;
  return omni;
}
