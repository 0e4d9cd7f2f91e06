/**
 * The Segment HTTP Tracking API: POST /v1/{identify,track,page,screen,group,alias,batch}.
 * Existing Segment and RudderStack SDKs work by pointing them at this server.
 */
import zlib from 'node:zlib';
import cors from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminWorkspace } from '../../platform/context';
import { AppError } from '../../platform/errors';
import { ErrorResponse } from '../../platform/schema';
import { findSourceByWriteKey, writeKeyOf, type Source } from '../workspaces';
import { BatchSchema, IngestResponse, MessageSchemas, TimelineQuery, TimelineResponse } from './ingest.schema';
import { ingestMessages, listProfileEvents, type IncomingItem, type IngestResult } from './ingest.service';
import { RateLimiter } from './rate-limit';
import { EVENT_TYPES, LIMITS, type EventType } from './validate';
import type { IngestWriter } from './writer';
import { Type } from 'typebox';

declare module 'fastify' {
  interface FastifyRequest {
    ingestBodyBytes?: number;
  }
}

/** Raw bodies above this are refused before decompression; decompressed ones are checked against LIMITS. */
const RAW_BODY_LIMIT = 4 * 1024 * 1024;
const MAX_DECOMPRESSED = 4 * 1024 * 1024;

function decodeBody(request: FastifyRequest, body: Buffer): Buffer {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  try {
    switch (encoding) {
      case 'identity':
      case '':
        return body;
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(body, { maxOutputLength: MAX_DECOMPRESSED });
      case 'deflate':
        return zlib.inflateSync(body, { maxOutputLength: MAX_DECOMPRESSED });
      case 'br':
        return zlib.brotliDecompressSync(body, { maxOutputLength: MAX_DECOMPRESSED });
      default:
        throw new AppError('unsupported_encoding', `Content-Encoding "${encoding}" is not supported; use gzip, deflate, br or none`);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AppError('payload_too_large', `decompressed body exceeds ${MAX_DECOMPRESSED} bytes; the limit is 500 KB per batch`);
    }
    throw new AppError('invalid_body', `body is not valid ${encoding} data`);
  }
}

export function ingestRoutes(ctx: AppContext, writer: IngestWriter) {
  const limiter = new RateLimiter();

  async function authenticate(request: FastifyRequest): Promise<Source> {
    const key = writeKeyOf(request);
    if (!key) {
      throw new AppError('invalid_write_key', 'Missing write key: send it as the HTTP Basic username (empty password) or as "writeKey" in the body');
    }
    const source = await findSourceByWriteKey(ctx.db.orm, key);
    if (!source) throw new AppError('invalid_write_key', 'Invalid or revoked write key');
    return source;
  }

  function checkRate(source: Source, cost: number): void {
    const rate = source.rateLimit ?? ctx.config.sourceRateLimit;
    const wait = limiter.take(source.id, rate, cost);
    if (wait > 0) {
      throw new AppError('rate_limited', `Source ${source.id} is over its limit of ${rate} events per second; retry after ${wait} s`, { retryAfter: wait }, { 'Retry-After': String(wait) });
    }
  }

  function respond(result: IngestResult, single: boolean): IngestResult & { success: boolean } {
    const landed = result.accepted + result.duplicates + result.suppressed;
    if (result.rejected.length > 0 && (single || landed === 0)) {
      const first = result.rejected[0]!;
      const message = single ? first.message : `all ${result.rejected.length} events were rejected; first: ${first.message}`;
      const details: Record<string, unknown> = { ...(first.field ? { field: first.field } : {}) };
      if (!single) Object.assign(details, { index: first.index, rejected: result.rejected });
      throw new AppError(first.code, message, details);
    }
    return { success: true, ...result };
  }

  return async function routes(app: App) {
    await app.register(cors, {
      origin: true,
      methods: ['GET', 'POST', 'OPTIONS'],
      // No allowedHeaders: any header a preflight names is allowed (libraries add their own:
      // Segment's X-Retry-Count, RudderStack's AnonymousId, SentAt, RSA-Retry-*). No cookies are
      // allowed, and every endpoint here authenticates by write key alone.
      maxAge: 86400,
    });
    // Every content type (browsers' sendBeacon sends text/plain), optionally compressed.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: RAW_BODY_LIMIT }, (request, raw, done) => {
      try {
        const body = decodeBody(request, raw as Buffer);
        request.ingestBodyBytes = body.length;
        if (body.length === 0) return done(null, undefined);
        try {
          done(null, JSON.parse(body.toString('utf8')));
        } catch (err) {
          done(new AppError('invalid_json', `Malformed JSON: ${(err as Error).message}`), undefined);
        }
      } catch (err) {
        done(err as Error, undefined);
      }
    });

    const responses = { 200: IngestResponse, 400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse };
    const noValidation = () => () => true;
    // Events are stored with unstorable text cleaned (see validate.ts), not refused by the input guard.
    const config = { cleansText: true };

    // Analytics.js posts to one-letter paths (/v1/t for track …, /v1/b for a batch); they are the
    // same endpoints, left out of the reference.
    for (const [type, url] of EVENT_TYPES.flatMap((t) => [[t, `/v1/${t}`], [t, `/v1/${t.charAt(0)}`]] as const)) {
      const short = url !== `/v1/${type}`;
      app.post(url, {
        schema: { tags: ['tracking'], summary: `Segment ${type} call`, security: [{ writeKey: [] }], body: MessageSchemas[type], response: responses, ...(short ? { hide: true } : {}) },
        validatorCompiler: noValidation,
        config,
      }, async (request) => {
        const source = await authenticate(request);
        const size = request.ingestBodyBytes ?? 0;
        if (request.body === undefined) throw new AppError('invalid_body', 'Empty body: send a JSON event');
        if (size > LIMITS.eventBytes) {
          throw new AppError('payload_too_large', `event is ${size} bytes; the limit is 32 KB (${LIMITS.eventBytes} bytes) per event`, { index: 0 });
        }
        checkRate(source, 1);
        const result = await ingestMessages({ ex: ctx.db.orm, writer }, {
          source, items: [{ value: request.body, byteSize: size }], type: type as EventType, receivedAt: new Date(),
        });
        return respond(result, true);
      });
    }

    // Segment's Analytics.js (and its Swift/Kotlin libraries) read their settings before sending:
    // without them events go out with no write key. Public like the write key in the page.
    app.get('/v1/projects/:writeKey/settings', {
      schema: {
        tags: ['tracking'],
        summary: "Settings for Segment's libraries: where to send events, with which write key",
        params: Type.Object({ writeKey: Type.String({ minLength: 1, maxLength: 200 }) }),
      },
    }, async (request, reply) => {
      const { writeKey } = request.params as { writeKey: string };
      const source = await findSourceByWriteKey(ctx.db.orm, writeKey);
      if (!source) throw new AppError('invalid_write_key', 'Invalid or revoked write key');
      checkRate(source, 1);
      reply.header('cache-control', 'no-store');
      return segmentSettings(writeKey, request.protocol, request.host);
    });

    // RudderStack's JavaScript (v3) and mobile SDKs load their source's configuration first; with
    // no destinations they send everything to the data plane (Omni's /v1).
    for (const url of ['/sourceConfig', '/sourceConfig/']) app.get(url, {
      schema: {
        tags: ['tracking'],
        summary: "Source configuration for RudderStack's SDKs (write key as HTTP Basic username or ?writeKey=)",
        querystring: Type.Object({ writeKey: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: true }),
        security: [{ writeKey: [] }],
        ...(url.endsWith('/') ? { hide: true } : {}),
      },
    }, async (request, reply) => {
      const key = writeKeyOf(request);
      if (!key) throw new AppError('invalid_write_key', 'Missing write key: send it as the HTTP Basic username or as ?writeKey=');
      const source = await findSourceByWriteKey(ctx.db.orm, key);
      if (!source) throw new AppError('invalid_write_key', 'Invalid or revoked write key');
      checkRate(source, 1);
      reply.header('cache-control', 'no-store');
      return rudderSourceConfig(source);
    });

    // The same batch under Analytics.js's /v1/b and RudderStack's beacon path (`useBeacon`:
    // navigator.sendBeacon, text/plain, the write key in the query).
    for (const url of ['/v1/batch', '/v1/b', '/beacon/v1/batch']) app.post(url, {
      schema: { tags: ['tracking'], summary: 'Segment batch: up to 2,500 events, 500 KB', security: [{ writeKey: [] }], body: BatchSchema, response: responses, ...(url !== '/v1/batch' ? { hide: true } : {}) },
      validatorCompiler: noValidation,
      config,
    }, async (request) => {
      const source = await authenticate(request);
      const size = request.ingestBodyBytes ?? 0;
      const body = request.body as { batch?: unknown; context?: unknown; integrations?: unknown; sentAt?: unknown } | undefined;
      if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new AppError('invalid_body', 'Body must be a JSON object with a "batch" array');
      }
      if (size > LIMITS.batchBytes) {
        throw new AppError('payload_too_large', `batch is ${size} bytes; the limit is 500 KB (${LIMITS.batchBytes} bytes) per batch`);
      }
      if (!Array.isArray(body.batch)) throw new AppError('invalid_body', '"batch" must be an array of events', { field: 'batch' });
      if (body.batch.length === 0) throw new AppError('invalid_body', '"batch" is empty', { field: 'batch' });
      if (body.batch.length > LIMITS.batchEvents) {
        throw new AppError('payload_too_large', `batch has ${body.batch.length} events; the limit is ${LIMITS.batchEvents} events per batch`, { field: 'batch' });
      }
      checkRate(source, body.batch.length);
      const items: IncomingItem[] = body.batch.map((value) => ({ value }));
      const result = await ingestMessages({ ex: ctx.db.orm, writer }, {
        source, items, receivedAt: new Date(), shared: { context: body.context, integrations: body.integrations, sentAt: body.sentAt },
      });
      return respond(result, false);
    });
  };
}

/**
 * The settings Segment's CDN serves a source, limited to what Omni is: one destination
 * ("Segment.io", i.e. Omni's /v1), no other destinations, middleware or plugins. The host is the
 * one the library reached Omni at, so events go back to it.
 */
export function segmentSettings(writeKey: string, protocol: string, host: string) {
  const event = { __default: { enabled: true, integrations: {} } };
  return {
    integrations: { 'Segment.io': { apiKey: writeKey, apiHost: `${host}/v1`, protocol, unbundledIntegrations: [], addBundledMetadata: false } },
    plan: { track: event, identify: event, group: event },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

/** A source as RudderStack's control plane describes it: enabled, no destinations (all to Omni). */
export function rudderSourceConfig(source: Source) {
  return {
    isHostedService: false,
    source: {
      id: source.id,
      name: source.name,
      workspaceId: source.workspaceId,
      enabled: true,
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  };
}

export function timelineRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    app.get('/api/v1/profiles/:id/events', {
      config: { permission: 'profiles.read' },
      schema: {
        tags: ['profiles'],
        summary: 'Timeline of a profile across all channels, newest first (includes merged profiles)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        querystring: TimelineQuery,
        response: { 200: TimelineResponse, 404: ErrorResponse },
      },
    }, async (request) => listProfileEvents(ctx.db.orm, {
      workspaceId: adminWorkspace(request),
      profileId: request.params.id,
      limit: request.query.limit ?? 50,
      cursor: request.query.cursor,
      channel: request.query.channel,
      type: request.query.type,
      event: request.query.event,
    }));
  };
}
