/**
 * Workspaces (tenants), their sources (each with a write key and a channel type) and admin API
 * tokens. Secrets are generated here, shown once, and stored as sha256 hashes.
 */
import crypto from 'node:crypto';
import type { Executor } from '../../db/client';
import { AppError } from '../../platform/errors';
import { newId, randomSecret, sha256 } from '../../platform/ids';
import { isValidTimeZone } from '../../config';
import { DEFAULT_COMMERCE_SETTINGS, type ChannelType, type CommerceSettings, type IdentityRulesInput, type SourceTrust, type UpdateWorkspaceInput } from './workspaces.schema';
import * as repo from './workspaces.repo';

export interface Workspace {
  id: string;
  name: string;
  defaultCountry: string;
  timeZone: string;
  currency: string;
  identityRules: IdentityRulesInput;
  commerce: CommerceSettings;
  createdAt: Date;
}

export interface Source {
  id: string;
  workspaceId: string;
  name: string;
  channel: string;
  writeKeyPrefix: string;
  rateLimit: number | null;
  /** client: self-reported traits; server: trusted traits. */
  trust: SourceTrust;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ApiToken {
  id: string;
  workspaceId: string;
  name: string;
  tokenPrefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function toWorkspace(r: repo.WorkspaceRow): Workspace {
  const { commerceSettings, suppressionKey: _key, ...rest } = r;
  return { ...rest, identityRules: r.identityRules as IdentityRulesInput, commerce: { ...DEFAULT_COMMERCE_SETTINGS, ...(commerceSettings as Partial<CommerceSettings>) } };
}

function toSource(r: repo.SourceRow): Source {
  const { writeKeyHash: _hash, trust, ...rest } = r;
  return { ...rest, trust: trust === 'server' ? 'server' : 'client' };
}

function toToken(r: repo.TokenRow): ApiToken {
  const { tokenHash: _hash, ...rest } = r;
  return rest;
}

/** Short-lived per-process caches for the hot paths (every ingest call, every admin call). */
const CACHE_TTL_MS = 5_000;
interface Cached<T> {
  value: T | undefined;
  at: number;
}
const sourceCache = new Map<string, Cached<Source>>();
const tokenCache = new Map<string, Cached<ApiToken>>();
/** A workspace with its suppression key, which stays inside the server (not part of `Workspace`). */
interface WorkspaceEntry {
  workspace: Workspace;
  suppressionKey: string;
}
const workspaceCache = new Map<string, Cached<WorkspaceEntry>>();

async function cached<T>(
  cache: Map<string, Cached<T>>,
  key: string,
  load: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
  const value = await load();
  if (cache.size > 10_000) cache.clear();
  cache.set(key, { value, at: now });
  return value;
}

export async function createWorkspace(
  ex: Executor,
  input: { name: string; defaultCountry?: string; timeZone?: string; currency?: string },
): Promise<Workspace> {
  if (input.timeZone && !isValidTimeZone(input.timeZone)) {
    throw new AppError('validation_failed', `timeZone: unknown IANA time zone "${input.timeZone}"`, { field: 'timeZone' });
  }
  const row = await repo.insertWorkspace(ex, {
    id: newId('ws'),
    name: input.name,
    defaultCountry: input.defaultCountry ?? 'VN',
    timeZone: input.timeZone ?? 'Asia/Ho_Chi_Minh',
    currency: input.currency ?? 'VND',
    suppressionKey: crypto.randomBytes(32).toString('hex'),
  });
  return toWorkspace(row);
}

async function workspaceEntry(ex: Executor, workspaceId: string): Promise<WorkspaceEntry> {
  const entry = await cached(workspaceCache, workspaceId, async () => {
    const r = await repo.selectWorkspace(ex, workspaceId);
    return r && { workspace: toWorkspace(r), suppressionKey: r.suppressionKey };
  });
  if (!entry) throw new AppError('workspace_not_found', `Workspace ${workspaceId} not found`);
  return entry;
}

export async function getWorkspace(ex: Executor, workspaceId: string): Promise<Workspace> {
  return (await workspaceEntry(ex, workspaceId)).workspace;
}

/**
 * The key of the workspace's suppression hashes (erased people's identifiers). For identity
 * resolution and erasure only: no API returns it and nothing logs it.
 */
export async function getSuppressionKey(ex: Executor, workspaceId: string): Promise<string> {
  return (await workspaceEntry(ex, workspaceId)).suppressionKey;
}

/** The oldest workspace (the one the first start created), if any. */
export function firstWorkspaceId(ex: Executor): Promise<string | undefined> {
  return repo.selectFirstWorkspaceId(ex);
}

export async function updateWorkspace(ex: Executor, workspaceId: string, patch: UpdateWorkspaceInput): Promise<Workspace> {
  if (patch.timeZone && !isValidTimeZone(patch.timeZone)) {
    throw new AppError('validation_failed', `timeZone: unknown IANA time zone "${patch.timeZone}"`, { field: 'timeZone' });
  }
  const { commerce, ...fields } = patch;
  if (!commerce && Object.values(fields).every((v) => v === undefined)) return getWorkspace(ex, workspaceId);
  let commerceSettings: CommerceSettings | undefined;
  if (commerce) {
    const current = await repo.selectWorkspace(ex, workspaceId);
    if (!current) throw new AppError('workspace_not_found', `Workspace ${workspaceId} not found`);
    commerceSettings = { ...toWorkspace(current).commerce, ...commerce };
  }
  const row = await repo.updateWorkspaceRow(ex, workspaceId, { ...fields, ...(commerceSettings ? { commerceSettings } : {}) });
  if (!row) throw new AppError('workspace_not_found', `Workspace ${workspaceId} not found`);
  workspaceCache.delete(workspaceId);
  return toWorkspace(row);
}

export async function createSource(
  ex: Executor,
  input: { workspaceId: string; name: string; channel: ChannelType; rateLimit?: number; writeKey?: string; trust?: SourceTrust },
): Promise<{ source: Source; writeKey: string }> {
  const writeKey = input.writeKey ?? randomSecret('wk');
  const row = await repo.insertSource(ex, {
    id: newId('src'),
    workspaceId: input.workspaceId,
    name: input.name,
    channel: input.channel,
    writeKeyHash: sha256(writeKey),
    writeKeyPrefix: writeKey.slice(0, 7),
    rateLimit: input.rateLimit ?? null,
    trust: input.trust ?? 'client',
  });
  return { source: toSource(row), writeKey };
}

/** Rename a source, change its trust or its rate limit; takes effect at once in this process. */
export async function updateSource(
  ex: Executor,
  workspaceId: string,
  sourceId: string,
  patch: { name?: string; trust?: SourceTrust; rateLimit?: number | null },
): Promise<Source> {
  const row = await repo.updateSourceRow(ex, workspaceId, sourceId, patch);
  if (!row) throw new AppError('source_not_found', `Source ${sourceId} not found`);
  sourceCache.delete(row.writeKeyHash);
  return toSource(row);
}

export async function listSources(ex: Executor, workspaceId: string): Promise<Source[]> {
  return (await repo.selectSources(ex, workspaceId)).map(toSource);
}

export async function revokeSource(ex: Executor, workspaceId: string, sourceId: string): Promise<Source> {
  const row = await repo.revokeSourceRow(ex, workspaceId, sourceId);
  if (!row) throw new AppError('source_not_found', `Source ${sourceId} not found`);
  sourceCache.delete(row.writeKeyHash);
  return toSource(row);
}

/** The live source a write key belongs to, or undefined. */
export async function findSourceByWriteKey(ex: Executor, writeKey: string): Promise<Source | undefined> {
  const hash = sha256(writeKey);
  return cached(sourceCache, hash, async () => {
    const r = await repo.selectSourceByKeyHash(ex, hash);
    return r && toSource(r);
  });
}

export async function createApiToken(
  ex: Executor,
  input: { workspaceId: string; name: string; secret?: string },
): Promise<{ token: ApiToken; secret: string }> {
  const secret = input.secret ?? randomSecret('omni', 40);
  const row = await repo.insertToken(ex, {
    id: newId('tok'),
    workspaceId: input.workspaceId,
    name: input.name,
    tokenHash: sha256(secret),
    tokenPrefix: secret.slice(0, 9),
  });
  return { token: toToken(row), secret };
}

export async function listApiTokens(ex: Executor, workspaceId: string): Promise<ApiToken[]> {
  return (await repo.selectTokens(ex, workspaceId)).map(toToken);
}

export async function revokeApiToken(ex: Executor, workspaceId: string, tokenId: string): Promise<ApiToken> {
  const row = await repo.revokeTokenRow(ex, workspaceId, tokenId);
  if (!row) throw new AppError('token_not_found', `Token ${tokenId} not found`);
  tokenCache.delete(row.tokenHash);
  return toToken(row);
}

/** The live token a secret belongs to, or undefined. Records last use (at most once per cache period). */
export async function findApiToken(ex: Executor, secret: string): Promise<ApiToken | undefined> {
  const hash = sha256(secret);
  return cached(tokenCache, hash, async () => {
    const r = await repo.selectTokenByHash(ex, hash);
    if (r) await repo.touchToken(ex, r.id);
    return r && toToken(r);
  });
}

/** The bootstrap workspace's name until someone renames it. */
export const DEFAULT_WORKSPACE_NAME = 'Default workspace';

/**
 * First start with an empty database: create the bootstrap workspace, its admin token and a
 * first source. Secrets come from OMNI_ADMIN_TOKEN / OMNI_WRITE_KEY when set, else are generated
 * and returned (to be printed once). Returns undefined when workspaces already exist.
 */
export async function bootstrapWorkspace(
  ex: Executor,
  opts: { adminToken?: string; writeKey?: string; defaultCountry: string; timeZone: string },
): Promise<{ workspace: Workspace; adminToken: string; writeKey: string; generated: boolean } | undefined> {
  return ex.transaction(async (tx) => {
    if ((await repo.countWorkspaces(tx)) > 0) return undefined;
    const workspace = await createWorkspace(tx, {
      name: DEFAULT_WORKSPACE_NAME,
      defaultCountry: opts.defaultCountry,
      timeZone: opts.timeZone,
    });
    const token = await createApiToken(tx, { workspaceId: workspace.id, name: 'Bootstrap admin token', secret: opts.adminToken });
    const source = await createSource(tx, {
      workspaceId: workspace.id,
      name: 'Default source',
      channel: 'server',
      writeKey: opts.writeKey,
    });
    return {
      workspace,
      adminToken: token.secret,
      writeKey: source.writeKey,
      generated: !opts.adminToken || !opts.writeKey,
    };
  });
}
