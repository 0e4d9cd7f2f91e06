/**
 * The demo pages, only while the demo is on (OMNI_DEMO, the default):
 *  - `GET /demo/store`: a small Vietnamese shop built on the browser SDK alone (/sdk/omni.js),
 *    selling on the demo's Website channel (page files in ./demo/: plain JS, no build step);
 *  - `GET /demo/v1/config`: what the page needs to start: the Website source's write key (public
 *    by nature: every shop's HTML carries one), a few demo customers to sign in as, and the
 *    browser's guest (below);
 *  - `POST /demo/v1/sign-in`: the part a real shop's backend plays — it checks the shopper's
 *    password, then mints a customer token (POST /api/v1/customer-tokens). The demo has no
 *    passwords, so it mints from an email or phone alone; it therefore answers only in the
 *    workspace the demo seed filled, and only for the customers the seed made up. Anything
 *    else would hand anyone a real customer's cart for the price of knowing their email;
 *  - `POST /demo/v1/sign-out`: the browser's next visit is a new guest.
 *
 * Anyone can sign in as a demo customer, so whatever joins one is open to everyone: the sign-in
 * joins only a guest this browser proves it holds. The page's guest is a random secret in an
 * HttpOnly cookie (its script never sees it) and its anonymous id is a one-way hash of that
 * secret and the workspace. The anonymous id travels in events, cart calls and stream URLs; the
 * secret only in this cookie, to these paths. Seeing a visitor's anonymous id (in a shared link,
 * a log) gives no way to the secret, so it cannot tie that visitor's guest cart to a demo
 * customer. A keyed hash would need a server secret shared by every process; a hash of a
 * secret preimage needs none and proves the same.
 * The operator side of the demo (/demo/pos) is a console screen.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { CountryCode } from 'libphonenumber-js';
import { isHttpsPublicUrl } from './config';
import type { App, AppContext } from './platform/context';
import { AppError } from './platform/errors';
import { ErrorResponse, Nullable } from './platform/schema';
import { randomSecret, sha256 } from './platform/ids';
import { lookupProfile, type Profile } from './modules/profiles';
import { getWorkspace } from './modules/workspaces';
import type { IngestWriter } from './modules/ingest';
import { issueCustomerToken } from './flows/cart-api';
import { DEMO_ANONYMOUS_ID_PREFIX, DEMO_EMAIL_DOMAIN, demoCustomerPhones, demoStoreWriteKey, demoWorkspaceId } from './flows/demo-seed';

const PAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'demo');
const FILES: Record<string, { file: string; type: string }> = {
  '/demo/store': { file: 'store.html', type: 'text/html; charset=utf-8' },
  '/demo/store/store.js': { file: 'store.js', type: 'application/javascript; charset=utf-8' },
  '/demo/store/store.css': { file: 'store.css', type: 'text/css; charset=utf-8' },
};

/** How many demo customers the sign-in picker offers. */
const PICKER_SIZE = 4;

const DemoCustomer = Type.Object({
  profileId: Type.String(),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  tier: Nullable(Type.String({ description: 'member, silver or gold' })),
  userId: Nullable(Type.String({ description: "The shop's own user id, when the customer has one" })),
});

const DemoConfig = Type.Object({
  writeKey: Type.String({ description: "The demo Website source's write key (public, like any shop's)" }),
  currency: Type.String(),
  customers: Type.Array(DemoCustomer, { description: 'A few demo customers to sign in as' }),
  anonymousId: Type.String({ description: "This browser's demo guest (start the SDK with it): the only guest its sign-in joins to a customer" }),
});

const SignInBody = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: `A demo customer's email (on @${DEMO_EMAIL_DOMAIN})…` })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40, description: "…or phone" })),
    anonymousId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "The browser's anonymous id: the guest's cart joins the customer's when it is this browser's demo guest (from /demo/v1/config, proven by its cookie) and still a guest",
      }),
    ),
  },
  { additionalProperties: false },
);

const SignInResponse = Type.Object({
  token: Type.String({ description: 'The customer token for the store API (Omni.setCustomerToken)' }),
  expiresAt: Type.String({ format: 'date-time' }),
  customer: DemoCustomer,
  guestJoined: Type.Boolean({ description: "Whether the browser's guest (and its cart) joined the customer" }),
});

/** The cookie holding the browser's guest secret: HttpOnly, sent only to the demo API. */
const GUEST_COOKIE = 'omni_demo_guest';
const GUEST_SECRET = /^dg_[0-9A-Za-z]{32}$/;
const GUEST_COOKIE_DAYS = 365;
/** Prefix of the anonymous ids of demo guests. */
export const DEMO_GUEST_PREFIX = 'demo-guest-';

/**
 * The anonymous id a guest secret stands for in a workspace: a one-way hash (128 bits), so the
 * id, which the browser sends everywhere, never leads back to the secret.
 */
export function demoGuestAnonymousId(workspaceId: string, secret: string): string {
  return `${DEMO_GUEST_PREFIX}${sha256(`omni demo guest\n${workspaceId}\n${secret}`).slice(0, 32)}`;
}

/** The guest secret this request's cookie holds, if it holds a well-formed one. */
function guestSecretOf(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === GUEST_COOKIE) {
      const value = part.slice(i + 1).trim();
      return GUEST_SECRET.test(value) ? value : undefined;
    }
  }
  return undefined;
}

const traitText = (p: Profile, key: string): string | null => {
  const v = p.traits[key];
  return typeof v === 'string' && v ? v : null;
};
const identifier = (p: Profile, type: string): string | null => p.identifiers.find((i) => i.type === type)?.value ?? null;

function toDemoCustomer(p: Profile) {
  return { profileId: p.id, name: traitText(p, 'name'), email: identifier(p, 'email'), phone: identifier(p, 'phone'), tier: traitText(p, 'tier'), userId: identifier(p, 'user_id') };
}

/**
 * A customer the demo seed made up, and no one else: a demo anonymous id, a phone from the seed's
 * list, and no phone or email of anybody else. Anyone may send identify calls with the public
 * write key and so tie a demo anonymous id (or a demo phone) to a real person's profile; the
 * phone list keeps such a profile out, because it then holds a phone the seed did not make.
 */
function isDemoCustomer(p: Profile, demoPhones: Set<string>): boolean {
  const of = (type: string) => p.identifiers.filter((i) => i.type === type).map((i) => i.value);
  const phones = of('phone');
  return (
    of('anonymous_id').some((a) => a.startsWith(DEMO_ANONYMOUS_ID_PREFIX)) &&
    phones.length > 0 &&
    phones.every((ph) => demoPhones.has(ph)) &&
    of('email').every((e) => e.endsWith(`@${DEMO_EMAIL_DOMAIN}`))
  );
}

export function demoRoutes(ctx: AppContext, writer: IngestWriter) {
  const orm = ctx.db.orm;

  /** The demo workspace, or 404 as if the demo did not exist. */
  async function demoWorkspace(): Promise<{ workspaceId: string; country: CountryCode; currency: string; demoPhones: Set<string> }> {
    const workspaceId = await demoWorkspaceId(orm);
    if (!workspaceId) throw new AppError('not_found', 'There is no demo shop on this server (the demo data fills only a new, empty first workspace)');
    const demoPhones = await demoCustomerPhones(orm, workspaceId);
    if (!demoPhones) throw new AppError('unavailable', 'The demo data was made by an older version or is still being made: start Omni on a new data directory, or wait for "demo: ready"');
    const ws = await getWorkspace(orm, workspaceId);
    return { workspaceId, country: ws.defaultCountry as CountryCode, currency: ws.currency, demoPhones };
  }

  async function findProfile(workspaceId: string, country: CountryCode, type: 'email' | 'phone', value: string): Promise<Profile | undefined> {
    try {
      return await lookupProfile(orm, { workspaceId, type, value, defaultCountry: country });
    } catch (err) {
      if (err instanceof AppError && err.code === 'profile_not_found') return undefined;
      throw err;
    }
  }

  function setGuestCookie(request: FastifyRequest, reply: FastifyReply, secret: string | null): void {
    const secure = isHttpsPublicUrl(ctx.config) || request.protocol === 'https' ? '; Secure' : '';
    const maxAge = secret ? GUEST_COOKIE_DAYS * 24 * 3600 : 0;
    reply.header('set-cookie', `${GUEST_COOKIE}=${secret ?? ''}; Path=/demo/v1; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`);
  }

  /** Whether no one has signed in on this anonymous id yet: its profile (if any) holds anonymous ids only. */
  async function isStillGuest(workspaceId: string, country: CountryCode, anonymousId: string): Promise<boolean> {
    try {
      const p = await lookupProfile(orm, { workspaceId, type: 'anonymous_id', value: anonymousId, defaultCountry: country });
      return p.identifiers.every((i) => i.type === 'anonymous_id');
    } catch (err) {
      if (err instanceof AppError && err.code === 'profile_not_found') return true;
      throw err;
    }
  }

  return async function routes(app: App): Promise<void> {
    if (!ctx.config.demo) {
      // Off: these paths answer 404 like any unknown API path (not the console's page).
      const off = async () => {
        throw new AppError('not_found', 'The demo is off on this server (OMNI_DEMO=false)');
      };
      app.all('/demo/v1/*', { schema: { hide: true } }, off);
      app.get('/demo/store', { schema: { hide: true } }, off);
      app.get('/demo/store/*', { schema: { hide: true } }, off);
      return;
    }
    // Unknown demo API paths get the JSON 404, not the console's page.
    app.all('/demo/v1/*', { schema: { hide: true } }, async (request) => {
      throw new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    });

    for (const [url, { file, type }] of Object.entries(FILES)) {
      app.get(url, { schema: { hide: true } }, async (_request, reply) => {
        const body = await fs.readFile(path.join(PAGE_DIR, file));
        return reply.header('content-type', type).header('cache-control', 'no-cache').send(body);
      });
    }

    app.get('/demo/v1/config', {
      schema: {
        tags: ['demo'],
        summary: 'The demo store page\'s settings: the Website write key and demo customers to sign in as (only while the demo is on)',
        security: [],
        response: { 200: DemoConfig, 404: ErrorResponse, 503: ErrorResponse },
      },
    }, async (request, reply) => {
      const { workspaceId, country, currency, demoPhones } = await demoWorkspace();
      const writeKey = await demoStoreWriteKey(orm, workspaceId);
      if (!writeKey) throw new AppError('unavailable', 'The demo data was made by an older version that kept no store write key: start Omni on a new data directory');
      const customers: ReturnType<typeof toDemoCustomer>[] = [];
      // The seed gives about 60% of customers an email: khach1@…, khach2@… — take the first few.
      for (let n = 1; n <= 20 && customers.length < PICKER_SIZE; n++) {
        const p = await findProfile(workspaceId, country, 'email', `khach${n}@${DEMO_EMAIL_DOMAIN}`);
        if (p && isDemoCustomer(p, demoPhones)) customers.push(toDemoCustomer(p));
      }
      // This browser's guest: the one its cookie holds, or a new one.
      let secret = guestSecretOf(request);
      if (!secret) {
        secret = randomSecret('dg', 32);
        setGuestCookie(request, reply, secret);
      }
      reply.header('cache-control', 'no-store');
      return { writeKey, currency, customers, anonymousId: demoGuestAnonymousId(workspaceId, secret) };
    });

    app.post('/demo/v1/sign-in', {
      schema: {
        tags: ['demo'],
        summary: 'Sign in as a demo customer by email or phone: mints their customer token (only demo customers, only while the demo is on)',
        security: [],
        body: SignInBody,
        response: { 200: SignInResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 503: ErrorResponse },
      },
    }, async (request) => {
      const b = request.body;
      if (!b.email === !b.phone) throw new AppError('validation_failed', 'body: give either email or phone', { field: 'email' });
      const { workspaceId, country, demoPhones } = await demoWorkspace();
      if (b.email && !b.email.trim().toLowerCase().endsWith(`@${DEMO_EMAIL_DOMAIN}`)) {
        throw new AppError('forbidden', `The demo signs in only its own customers (emails on @${DEMO_EMAIL_DOMAIN})`, { field: 'email' });
      }
      const profile = b.email ? await findProfile(workspaceId, country, 'email', b.email) : await findProfile(workspaceId, country, 'phone', b.phone!);
      if (!profile) throw new AppError('profile_not_found', `No demo customer has this ${b.email ? 'email' : 'phone'}`, { field: b.email ? 'email' : 'phone' });
      if (!isDemoCustomer(profile, demoPhones)) throw new AppError('forbidden', 'The demo signs in only the customers its demo data made', { field: b.email ? 'email' : 'phone' });
      // Only this browser's own guest joins, and only while it is a guest: an anonymous id seen
      // elsewhere (or one already signed in as someone) still gets the customer's token, but
      // its cart stays where it is. Refusing instead would say nothing more and break the
      // sign-in of a browser whose guest cookie is gone.
      const secret = guestSecretOf(request);
      const joins =
        b.anonymousId !== undefined &&
        secret !== undefined &&
        demoGuestAnonymousId(workspaceId, secret) === b.anonymousId &&
        (await isStillGuest(workspaceId, country, b.anonymousId));
      // The demo shop sells on the Website channel: the sign-in is a web touchpoint.
      const minted = await issueCustomerToken({ ctx, writer }, { workspaceId, profileId: profile.id, ...(joins ? { anonymousId: b.anonymousId } : {}), ttlSeconds: 24 * 3600, channel: 'web' });
      return { token: minted.secret, expiresAt: minted.token.expiresAt, customer: toDemoCustomer(profile), guestJoined: joins };
    });

    app.post('/demo/v1/sign-out', {
      schema: {
        tags: ['demo'],
        summary: "Sign out of the demo store: this browser's guest ends, its next visit is a new one (only while the demo is on)",
        security: [],
        response: { 204: Type.Null() },
      },
    }, async (request, reply) => {
      setGuestCookie(request, reply, null);
      return reply.code(204).send(null);
    });
  };
}
