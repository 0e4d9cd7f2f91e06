import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isValidTimeZone, loadConfig } from './config';

/** The ConfigError message for env, or fails the test when loadConfig accepts it. */
function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('when nothing is set', () => {
    it('uses the defaults: embedded database in ./.omni-data, Vietnam, workers on', () => {
      expect(loadConfig({})).toEqual({
        port: 3000,
        host: '127.0.0.1',
        dataDir: path.resolve(process.cwd(), '.omni-data'),
        databasePoolSize: 10,
        logLevel: 'info',
        defaultCountry: 'VN',
        defaultTimeZone: 'Asia/Ho_Chi_Minh',
        sourceRateLimit: 100_000,
        ingestMaxBatch: 5000,
        runWorkers: true,
        demo: true,
        reservationSweepMs: 5000,
        storeStreamsPerShopper: 8,
        storeStreamsPerIp: 200,
        publicUrl: 'http://127.0.0.1:3000',
        trustProxy: false,
        signInLockSeconds: 60,
      });
    });

    it('takes the public URL from the port it listens on', () => {
      expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://127.0.0.1:8080');
      expect(loadConfig({}, { port: 4100 }).publicUrl).toBe('http://127.0.0.1:4100');
    });

    it('treats blank values as unset', () => {
      const config = loadConfig({ PORT: '', HOST: '  ', DATABASE_URL: ' ', OMNI_ADMIN_TOKEN: '', LOG_LEVEL: '', OMNI_WORKERS: '' });
      expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', logLevel: 'info', runWorkers: true });
      expect(config).not.toHaveProperty('databaseUrl');
      expect(config).not.toHaveProperty('adminToken');
    });
  });

  describe('when settings are given', () => {
    it('reads each one from its environment variable', () => {
      const config = loadConfig({
        PORT: ' 8080 ',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgresql://omni:pw@db:5432/omni',
        DATABASE_POOL_SIZE: '20',
        OMNI_ADMIN_TOKEN: 'a-long-admin-token-123',
        OMNI_WRITE_KEY: 'write-key-1',
        LOG_LEVEL: 'debug',
        OMNI_DEFAULT_COUNTRY: 'th',
        OMNI_DEFAULT_TIME_ZONE: 'Asia/Bangkok',
        OMNI_SOURCE_RATE_LIMIT: '50',
        OMNI_INGEST_MAX_BATCH: '100',
        OMNI_WORKERS: 'off',
      });
      expect(config).toMatchObject({
        port: 8080,
        host: '0.0.0.0',
        databaseUrl: 'postgresql://omni:pw@db:5432/omni',
        databasePoolSize: 20,
        adminToken: 'a-long-admin-token-123',
        writeKey: 'write-key-1',
        logLevel: 'debug',
        defaultCountry: 'TH',
        defaultTimeZone: 'Asia/Bangkok',
        sourceRateLimit: 50,
        ingestMaxBatch: 100,
        runWorkers: false,
      });
    });

    it('lets overrides win over the environment', () => {
      const config = loadConfig({ PORT: '8080', LOG_LEVEL: 'debug' }, { port: 0, logLevel: 'silent', databaseUrl: undefined });
      expect(config).toMatchObject({ port: 0, logLevel: 'silent' });
      expect(config).not.toHaveProperty('databaseUrl');
    });
  });

  describe('when OMNI_PUBLIC_URL is given', () => {
    it('keeps it without a trailing slash, scheme and host in lower case', () => {
      expect(loadConfig({ OMNI_PUBLIC_URL: 'HTTPS://Omni.Shop.vn/' }).publicUrl).toBe('https://omni.shop.vn');
      expect(loadConfig({ OMNI_PUBLIC_URL: 'https://shop.vn:8443/omni/' }).publicUrl).toBe('https://shop.vn:8443/omni');
    });
  });

  describe('when OMNI_TRUST_PROXY is given', () => {
    it.each([
      ['true', true],
      ['on', true],
      ['false', false],
      ['no', false],
      ['127.0.0.1', ['127.0.0.1']],
      [' 10.0.0.0/8 , 192.168.1.7,::1 ', ['10.0.0.0/8', '192.168.1.7', '::1']],
      ['loopback,fd00::/8', ['loopback', 'fd00::/8']],
    ])('reads %s as %o', (raw, expected) => {
      expect(loadConfig({ OMNI_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
    });
  });

  describe('when OMNI_WORKERS is a boolean word', () => {
    it.each([
      ['1', true],
      ['true', true],
      ['YES', true],
      ['on', true],
      ['0', false],
      ['false', false],
      ['No', false],
      ['off', false],
    ])('reads %s as %s', (raw, expected) => {
      expect(loadConfig({ OMNI_WORKERS: raw }).runWorkers).toBe(expected);
    });
  });

  describe('when DATA_DIR is relative', () => {
    it('resolves it against INIT_CWD, where `npm run` was started', () => {
      expect(loadConfig({ INIT_CWD: '/srv/shop', DATA_DIR: 'data/omni' }).dataDir).toBe('/srv/shop/data/omni');
      expect(loadConfig({ INIT_CWD: '/srv/shop' }).dataDir).toBe('/srv/shop/.omni-data');
    });

    it('resolves it against the working directory without INIT_CWD', () => {
      expect(loadConfig({ DATA_DIR: 'here' }).dataDir).toBe(path.resolve(process.cwd(), 'here'));
    });

    it('keeps an absolute DATA_DIR as it is', () => {
      expect(loadConfig({ INIT_CWD: '/srv/shop', DATA_DIR: '/var/lib/omni' }).dataDir).toBe('/var/lib/omni');
    });
  });

  describe('when a setting is bad', () => {
    it.each([
      [{ PORT: 'abc' }, /^Invalid setting PORT="abc": must be integer/],
      [{ PORT: '80.5' }, /^Invalid setting PORT="80.5"/],
      [{ PORT: '70000' }, /^Invalid setting PORT=70000: must be <= 65535/],
      [{ PORT: '-1' }, /^Invalid setting PORT=-1/],
      [{ DATABASE_URL: 'mysql://x' }, /^Invalid setting DATABASE_URL="mysql:\/\/x": must match pattern/],
      [{ DATABASE_POOL_SIZE: '0' }, /^Invalid setting DATABASE_POOL_SIZE=0/],
      [{ OMNI_DEFAULT_TIME_ZONE: 'Mars/Base' }, /^Invalid setting OMNI_DEFAULT_TIME_ZONE=Mars\/Base: unknown IANA time zone/],
      [{ LOG_LEVEL: 'loud' }, /^Invalid setting LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent$/],
      [{ OMNI_WORKERS: 'maybe' }, /^Invalid setting OMNI_WORKERS="maybe": must be boolean/],
      [{ OMNI_DEFAULT_COUNTRY: 'VNM' }, /^Invalid setting OMNI_DEFAULT_COUNTRY="VNM"/],
      [{ OMNI_SOURCE_RATE_LIMIT: '0' }, /^Invalid setting OMNI_SOURCE_RATE_LIMIT=0/],
      [{ OMNI_INGEST_MAX_BATCH: '50000' }, /^Invalid setting OMNI_INGEST_MAX_BATCH=50000/],
      [{ OMNI_RESERVATION_SWEEP_MS: '10' }, /^Invalid setting OMNI_RESERVATION_SWEEP_MS=10/],
      [{ OMNI_PUBLIC_URL: 'omni.shop.vn' }, /^Invalid setting OMNI_PUBLIC_URL="omni.shop.vn": must be an http:\/\/ or https:\/\/ URL/],
      [{ OMNI_PUBLIC_URL: 'ftp://omni.shop.vn' }, /^Invalid setting OMNI_PUBLIC_URL="ftp:\/\/omni.shop.vn"/],
      [{ OMNI_PUBLIC_URL: 'https://omni.shop.vn/?x=1' }, /^Invalid setting OMNI_PUBLIC_URL=/],
      [{ OMNI_TRUST_PROXY: '1' }, /^Invalid setting OMNI_TRUST_PROXY="1": a hop count is not accepted/],
      [{ OMNI_TRUST_PROXY: '10.0.0.1,proxy.internal' }, /^Invalid setting OMNI_TRUST_PROXY="10.0.0.1,proxy.internal": "proxy.internal" is not an IP address, a CIDR range/],
      [{ OMNI_TRUST_PROXY: '10.0.0.0/33' }, /^Invalid setting OMNI_TRUST_PROXY="10.0.0.0\/33"/],
      [{ OMNI_TRUST_PROXY: '10.0.0.1,' }, /^Invalid setting OMNI_TRUST_PROXY="10.0.0.1,": "" is not an IP address/],
      [{ OMNI_SIGN_IN_LOCK_SECONDS: '0' }, /^Invalid setting OMNI_SIGN_IN_LOCK_SECONDS=0/],
    ])('names it: %o', (env, message) => {
      expect(errorOf(env)).toMatch(message);
    });

    it('names a bad override by its environment variable', () => {
      expect(() => loadConfig({}, { port: 1e6 })).toThrow(/^Invalid setting PORT=1000000/);
    });
  });

  describe('when a setting holds a secret', () => {
    it('names OMNI_ADMIN_TOKEN without showing it', () => {
      const message = errorOf({ OMNI_ADMIN_TOKEN: 'sekret-123' });
      expect(message).toMatch(/^Invalid setting OMNI_ADMIN_TOKEN=\(hidden\): must not have fewer than 16 characters/);
      expect(message).not.toContain('sekret');
    });

    it('names OMNI_WRITE_KEY without showing it', () => {
      const message = errorOf({ OMNI_WRITE_KEY: 'wk-123' });
      expect(message).toMatch(/^Invalid setting OMNI_WRITE_KEY=\(hidden\)/);
      expect(message).not.toContain('wk-123');
    });

    it('hides the password of a bad DATABASE_URL', () => {
      const message = errorOf({ DATABASE_URL: 'mysql://shop:hunter2@db.internal/omni' });
      expect(message).toMatch(/^Invalid setting DATABASE_URL="mysql:\/\/shop:\*\*\*@db.internal\/omni": must match pattern/);
      expect(message).not.toContain('hunter2');
    });
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and UTC, refuses the rest', () => {
    expect(isValidTimeZone('Asia/Ho_Chi_Minh')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Base')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
