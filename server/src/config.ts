/**
 * Every setting Omni reads, in one schema, validated at boot.
 * No other file reads process.env: pass `config` explicitly.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import net from 'node:net';
import path from 'node:path';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LogLevel = Type.Enum(LOG_LEVELS, { description: 'LOG_LEVEL' });

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, description: 'PORT' }),
  host: Type.String({ minLength: 1, description: 'HOST' }),
  dataDir: Type.String({ minLength: 1, description: 'DATA_DIR' }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'DATABASE_URL' })),
  databasePoolSize: Type.Integer({ minimum: 1, maximum: 200, description: 'DATABASE_POOL_SIZE' }),
  adminToken: Type.Optional(Type.String({ minLength: 16, description: 'OMNI_ADMIN_TOKEN' })),
  writeKey: Type.Optional(Type.String({ minLength: 8, description: 'OMNI_WRITE_KEY' })),
  adminEmail: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'OMNI_ADMIN_EMAIL' })),
  adminPassword: Type.Optional(Type.String({ minLength: 10, description: 'OMNI_ADMIN_PASSWORD' })),
  logLevel: LogLevel,
  defaultCountry: Type.String({ pattern: '^[A-Z]{2}$', description: 'OMNI_DEFAULT_COUNTRY' }),
  defaultTimeZone: Type.String({ minLength: 1, description: 'OMNI_DEFAULT_TIME_ZONE' }),
  /** Events per second a source may send before 429 (token bucket, per process). */
  sourceRateLimit: Type.Integer({ minimum: 1, description: 'OMNI_SOURCE_RATE_LIMIT' }),
  /** Largest number of events written in one group commit. */
  ingestMaxBatch: Type.Integer({ minimum: 1, maximum: 20000, description: 'OMNI_INGEST_MAX_BATCH' }),
  /** Whether domain-log consumers (workers) run in this process. */
  runWorkers: Type.Boolean({ description: 'OMNI_WORKERS' }),
  demo: Type.Boolean({ description: 'OMNI_DEMO' }),
  /** How often expired stock reservations are released (ms). */
  reservationSweepMs: Type.Integer({ minimum: 100, maximum: 3_600_000, description: 'OMNI_RESERVATION_SWEEP_MS' }),
  /** Live cart streams (SSE) one shopper (an anonymous id or a customer) may hold open in this process. */
  storeStreamsPerShopper: Type.Integer({ minimum: 1, maximum: 1000, description: 'OMNI_STORE_STREAMS_PER_SHOPPER' }),
  /** Live cart streams one client address may hold open in this process. */
  storeStreamsPerIp: Type.Integer({ minimum: 1, maximum: 100_000, description: 'OMNI_STORE_STREAMS_PER_IP' }),
  /** The URL people reach Omni at; an https one makes every cookie Secure (also behind a TLS proxy). */
  publicUrl: Type.String({ minLength: 1, maxLength: 2048, description: 'OMNI_PUBLIC_URL' }),
  /**
   * Which peers may say who the client is (X-Forwarded-For, -Proto, -Host): none (false), any
   * (true: only when nothing but the proxy can reach Omni) or these addresses and CIDR ranges.
   */
  trustProxy: Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 })], { description: 'OMNI_TRUST_PROXY' }),
  /** How long the first lock after repeated failed sign-ins lasts (s); each further failure doubles it, up to 16 times. */
  signInLockSeconds: Type.Integer({ minimum: 1, maximum: 3600, description: 'OMNI_SIGN_IN_LOCK_SECONDS' }),
});
export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function toInt(env: Env, name: string, fallback: number): number | string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
}

function toBool(env: Env, name: string, fallback: boolean): boolean | string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  return raw;
}

/** OMNI_TRUST_PROXY: a boolean word, or a comma-separated list of addresses and ranges. */
function toTrustProxy(env: Env): boolean | string[] {
  const raw = nonEmpty(env.OMNI_TRUST_PROXY);
  if (raw === undefined) return false;
  // Words only: "1" would be a hop count to someone used to Express, not "trust everyone".
  if (/^(true|yes|on)$/i.test(raw)) return true;
  if (/^(false|no|off)$/i.test(raw)) return false;
  return raw.split(',').map((s) => s.trim());
}

/** Names proxy-addr (Fastify's trustProxy) understands besides addresses and ranges. */
const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why a trustProxy entry is unusable, or undefined when it is an address, a CIDR range or a keyword. */
function badProxyEntry(entry: string): string | undefined {
  if (/^\d+$/.test(entry)) {
    // Fastify 5 reads a number as "trust nothing": a hop count cannot tell the proxy from a
    // client that sends X-Forwarded-For itself. Say so rather than silently ignoring it.
    return 'a hop count is not accepted (it cannot tell your proxy from a client that forges X-Forwarded-For): list the proxy addresses, e.g. 127.0.0.1 or 10.0.0.0/8';
  }
  if (PROXY_KEYWORDS.has(entry)) return undefined;
  const [address, bits, extra] = entry.split('/');
  const family = net.isIP(address ?? '');
  const maxBits = family === 4 ? 32 : 128;
  if (family && extra === undefined && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) return undefined;
  return `${JSON.stringify(entry)} is not an IP address, a CIDR range (10.0.0.0/8) or one of true, false, loopback, linklocal, uniquelocal`;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Build the config from environment variables (plus overrides, used by tests and the CLI).
 * Throws ConfigError naming the first bad setting by its environment variable.
 */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const candidate = {
    port: toInt(env, 'PORT', 3000),
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    dataDir: path.resolve(nonEmpty(env.INIT_CWD) ?? process.cwd(), nonEmpty(env.DATA_DIR) ?? './.omni-data'),
    databaseUrl: nonEmpty(env.DATABASE_URL),
    databasePoolSize: toInt(env, 'DATABASE_POOL_SIZE', 10),
    adminToken: nonEmpty(env.OMNI_ADMIN_TOKEN),
    writeKey: nonEmpty(env.OMNI_WRITE_KEY),
    adminEmail: nonEmpty(env.OMNI_ADMIN_EMAIL),
    adminPassword: nonEmpty(env.OMNI_ADMIN_PASSWORD),
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
    defaultCountry: (nonEmpty(env.OMNI_DEFAULT_COUNTRY) ?? 'VN').toUpperCase(),
    defaultTimeZone: nonEmpty(env.OMNI_DEFAULT_TIME_ZONE) ?? 'Asia/Ho_Chi_Minh',
    sourceRateLimit: toInt(env, 'OMNI_SOURCE_RATE_LIMIT', 100_000),
    ingestMaxBatch: toInt(env, 'OMNI_INGEST_MAX_BATCH', 5000),
    runWorkers: toBool(env, 'OMNI_WORKERS', true),
    demo: toBool(env, 'OMNI_DEMO', true),
    reservationSweepMs: toInt(env, 'OMNI_RESERVATION_SWEEP_MS', 5000),
    storeStreamsPerShopper: toInt(env, 'OMNI_STORE_STREAMS_PER_SHOPPER', 8),
    storeStreamsPerIp: toInt(env, 'OMNI_STORE_STREAMS_PER_IP', 200),
    publicUrl: nonEmpty(env.OMNI_PUBLIC_URL),
    trustProxy: toTrustProxy(env),
    signInLockSeconds: toInt(env, 'OMNI_SIGN_IN_LOCK_SECONDS', 60),
    ...overrides,
  };
  // The default public URL is where this server listens on this machine (after overrides: tests pick the port).
  candidate.publicUrl ??= `http://127.0.0.1:${typeof candidate.port === 'number' ? candidate.port : 3000}`;
  if (Array.isArray(candidate.trustProxy)) {
    for (const entry of candidate.trustProxy) {
      const bad = badProxyEntry(entry);
      if (bad) throw new ConfigError(`Invalid setting OMNI_TRUST_PROXY=${JSON.stringify(candidate.trustProxy.join(','))}: ${bad}`);
    }
  }
  for (const key of Object.keys(candidate) as (keyof typeof candidate)[]) {
    if (candidate[key] === undefined) delete candidate[key];
  }
  if (!Value.Check(ConfigSchema, candidate)) {
    const first = Value.Errors(ConfigSchema, candidate)[0];
    const key = (first?.instancePath ?? '').replace(/^\//, '') as keyof Config;
    const prop = ConfigSchema.properties[key] as { description?: string } | undefined;
    const envName = prop?.description ?? key;
    const shown = key === 'adminToken' || key === 'writeKey' || key === 'adminPassword' ? '(hidden)' : JSON.stringify(key === 'databaseUrl' ? hidePassword(String(candidate[key])) : candidate[key]);
    const reason = key === 'logLevel' ? `must be one of ${LOG_LEVELS.join(', ')}` : (first?.message ?? 'invalid');
    throw new ConfigError(`Invalid setting ${envName}=${shown}: ${reason}`);
  }
  const publicUrl = httpUrl(candidate.publicUrl);
  if (!publicUrl) {
    throw new ConfigError(`Invalid setting OMNI_PUBLIC_URL=${JSON.stringify(candidate.publicUrl)}: must be an http:// or https:// URL, e.g. https://omni.shop.vn`);
  }
  candidate.publicUrl = publicUrl;
  if (!isValidTimeZone(candidate.defaultTimeZone)) {
    throw new ConfigError(`Invalid setting OMNI_DEFAULT_TIME_ZONE=${candidate.defaultTimeZone}: unknown IANA time zone`);
  }
  return candidate;
}

/** A connection URL as it may be logged: `postgres://user:***@host/db`. */
function hidePassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:).*@/i, '$1***@');
}

/** An http(s) URL without credentials, normalised (lower-case scheme and host, no trailing slash); undefined otherwise. */
function httpUrl(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  const ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '' && !url.search && !url.hash;
  return ok ? url.href.replace(/\/+$/, '') : undefined;
}

/** Whether people reach Omni over https (so cookies must be Secure), whatever the last hop spoke. */
export function isHttpsPublicUrl(config: Pick<Config, 'publicUrl'>): boolean {
  return config.publicUrl.startsWith('https://');
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
