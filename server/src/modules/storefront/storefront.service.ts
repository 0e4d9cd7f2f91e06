/**
 * The store API's callers: a browser or app holding the source's write key plus either the
 * shopper's anonymous id (a guest) or a customer token minted by the merchant's backend through
 * the admin API (a signed-in customer). A browser never holds an admin token, and reaches only
 * its own customer's cart.
 *
 * The rule for anonymous ids: one reaches the cart of the profile it belongs to only while that
 * profile is a guest's (no user id). Once the profile carries a user id — the shopper signed in,
 * or the guest was merged into a known customer — the store API asks for a customer token
 * (403 `customer_token_required`). Write keys are public and identify calls unauthenticated,
 * so an anonymous id alone must never open a known customer's cart.
 */
import type { FastifyRequest } from 'fastify';
import { toDate, type Executor } from '../../db/client';
import { AppError } from '../../platform/errors';
import { newId, randomSecret, sha256 } from '../../platform/ids';
import { findChannelOfSourceCached, type SalesChannel } from '../catalog';
import { lookupProfile } from '../profiles';
import { findSourceByWriteKey, getWorkspace, writeKeyOf, type Source } from '../workspaces';
import type { CountryCode } from 'libphonenumber-js';
import * as repo from './storefront.repo';

export interface CustomerToken {
  id: string;
  profileId: string;
  expiresAt: string;
  createdAt: string;
  revokedAt: string | null;
}

function toToken(r: repo.CustomerTokenRow): CustomerToken {
  return {
    id: r.id,
    profileId: r.profile_id,
    expiresAt: toDate(r.expires_at).toISOString(),
    createdAt: toDate(r.created_at).toISOString(),
    revokedAt: r.revoked_at ? toDate(r.revoked_at).toISOString() : null,
  };
}

/** Mint a token for a profile; the secret is returned once and stored hashed. */
export async function mintCustomerToken(
  ex: Executor,
  opts: { workspaceId: string; profileId: string; ttlSeconds: number },
): Promise<{ token: CustomerToken; secret: string }> {
  const secret = randomSecret('ct', 40);
  const row = await repo.insertToken(ex, {
    workspaceId: opts.workspaceId,
    id: newId('ctok'),
    profileId: opts.profileId,
    tokenHash: sha256(secret),
    expiresAt: new Date(Date.now() + opts.ttlSeconds * 1000),
  });
  return { token: toToken(row), secret };
}

export async function revokeCustomerToken(ex: Executor, workspaceId: string, id: string): Promise<CustomerToken> {
  const row = await repo.revokeToken(ex, workspaceId, id);
  if (!row) throw new AppError('token_not_found', `Customer token ${id} not found`);
  return toToken(row);
}

export async function deleteCustomerTokensOfProfiles(ex: Executor, workspaceId: string, profileIds: string[]): Promise<void> {
  await repo.deleteTokensOfProfiles(ex, workspaceId, profileIds);
}

/** A store API caller, authenticated. */
export interface Shopper {
  workspaceId: string;
  source: Source;
  /** The sales channel the source sells on. */
  channel: SalesChannel;
  /** null: a guest who has no profile yet (nothing written so far). */
  profileId: string | null;
  anonymousId: string | null;
  via: 'customer_token' | 'anonymous_id';
}

function headerOrQuery(request: FastifyRequest, header: string, query: string): string | undefined {
  const h = request.headers[header];
  if (typeof h === 'string' && h) return h;
  const q = (request.query as Record<string, unknown> | undefined)?.[query];
  return typeof q === 'string' && q ? q : undefined;
}

/** A stable, opaque key of a store API caller's credentials (write key and shopper), for limits. */
export function shopperKey(request: FastifyRequest): string {
  const who = headerOrQuery(request, 'x-omni-customer-token', 'customerToken') ?? headerOrQuery(request, 'x-omni-anonymous-id', 'anonymousId') ?? '';
  return sha256(`${writeKeyOf(request) ?? ''}\u0000${who}`);
}

/** The sales channel a source sells on: the (unarchived) channel that names it (kept a few seconds by the catalog). */
export async function channelOfSource(ex: Executor, source: Source): Promise<SalesChannel> {
  const channel = await findChannelOfSourceCached(ex, source.workspaceId, source.id);
  if (!channel) {
    throw new AppError('source_not_linked', `Source ${source.id} is not linked to a sales channel: set sourceId on the channel it sells on`, { sourceId: source.id });
  }
  return channel;
}

/** A store API request that needs no shopper (the catalog): the write key's source and channel. */
export async function authenticateSource(ex: Executor, request: FastifyRequest): Promise<{ workspaceId: string; source: Source; channel: SalesChannel }> {
  const key = writeKeyOf(request);
  if (!key) throw new AppError('invalid_write_key', 'Missing write key: send it as the HTTP Basic username or the X-Omni-Write-Key header');
  const source = await findSourceByWriteKey(ex, key);
  if (!source) throw new AppError('invalid_write_key', 'Invalid or revoked write key');
  return { workspaceId: source.workspaceId, source, channel: await channelOfSource(ex, source) };
}

/**
 * Authenticate a store API request: write key (Basic username, `X-Omni-Write-Key` or
 * `writeKey`), then `X-Omni-Customer-Token` (or `customerToken`) or `X-Omni-Anonymous-Id`
 * (or `anonymousId`). Query parameters exist for EventSource, which cannot send headers.
 */
export async function authenticateShopper(ex: Executor, request: FastifyRequest): Promise<Shopper> {
  const key = writeKeyOf(request);
  if (!key) throw new AppError('invalid_write_key', 'Missing write key: send it as the HTTP Basic username or the X-Omni-Write-Key header');
  const source = await findSourceByWriteKey(ex, key);
  if (!source) throw new AppError('invalid_write_key', 'Invalid or revoked write key');
  const workspaceId = source.workspaceId;
  const channel = await channelOfSource(ex, source);

  const secret = headerOrQuery(request, 'x-omni-customer-token', 'customerToken');
  if (secret) {
    const t = await repo.selectLiveToken(ex, sha256(secret));
    if (!t || t.workspace_id !== workspaceId) throw new AppError('invalid_customer_token', 'Invalid, expired or revoked customer token');
    return { workspaceId, source, channel, profileId: t.profile_id, anonymousId: null, via: 'customer_token' };
  }
  const anonymousId = headerOrQuery(request, 'x-omni-anonymous-id', 'anonymousId');
  if (!anonymousId) {
    throw new AppError('unauthorized', 'Say who is shopping: send X-Omni-Customer-Token (signed-in customer) or X-Omni-Anonymous-Id (guest)');
  }
  if (anonymousId.length > 200) throw new AppError('validation_failed', 'X-Omni-Anonymous-Id: at most 200 characters', { field: 'anonymousId' });
  const workspace = await getWorkspace(ex, workspaceId);
  const profile = await lookupProfile(ex, { workspaceId, type: 'anonymous_id', value: anonymousId, defaultCountry: workspace.defaultCountry as CountryCode }).catch(
    (err: unknown) => {
      if (err instanceof AppError && err.code === 'profile_not_found') return undefined;
      throw err;
    },
  );
  if (profile?.identifiers.some((i) => i.type === 'user_id')) {
    throw new AppError('customer_token_required', 'This shopper is a signed-in customer: use the customer token your backend mints (POST /api/v1/customer-tokens)');
  }
  return { workspaceId, source, channel, profileId: profile?.id ?? null, anonymousId, via: 'anonymous_id' };
}
