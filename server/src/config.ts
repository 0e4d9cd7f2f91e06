/**
 * Every setting Omni reads, in one schema, validated at boot.
 * No other file reads process.env: pass `config` explicitly.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
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
    ...overrides,
  };
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
  if (!isValidTimeZone(candidate.defaultTimeZone)) {
    throw new ConfigError(`Invalid setting OMNI_DEFAULT_TIME_ZONE=${candidate.defaultTimeZone}: unknown IANA time zone`);
  }
  return candidate;
}

/** A connection URL as it may be logged: `postgres://user:***@host/db`. */
function hidePassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:).*@/i, '$1***@');
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
