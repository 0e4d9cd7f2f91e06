/**
 * buildApp: plugins, then modules. Tests call buildApp() and use app.inject() or app.listen().
 */
import crypto from 'node:crypto';
import Fastify, { type FastifyError, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from './config';
import { openDb, type Database } from './db/client';
import { runMigrations } from './db/migrate';
import type { App, AppContext } from './platform/context';
import { AppError, isAppError } from './platform/errors';
import { checkStorableInput, checkUrlEncoding, routerError } from './platform/input-guard';
import { ErrorResponse } from './platform/schema';
import { requireRoutePermissions, type RouteEntry } from './platform/permissions';
import { auditRoutes } from './platform/audit';
import { deadLetterRoutes } from './platform/dead-letters.routes';
import { bootstrapWorkspace, firstWorkspaceId, getWorkspace, workspacesRoutes } from './modules/workspaces';
import { createConsoleGuard, ensureBootstrapAdmin, usersRoutes } from './modules/users';
import { countEventsByProfileAndChannel, IngestWriter, ingestRoutes, timelineRoutes } from './modules/ingest';
import { profilesRoutes } from './modules/profiles';
import { catalogRoutes } from './modules/catalog';
import { privacyRoutes, rekeyUnkeyedSuppressions } from './flows/profile-privacy';
import { placeOrderRoutes } from './flows/place-order';
import { inventoryRoutes, startReservationSweeper } from './modules/inventory';
import { ordersRoutes, startCommerceFactsConsumer } from './modules/orders';
import { CartHub, startCartMergeConsumer } from './modules/carts';
import { adminCartRoutes, customerTokenRoutes, storeCartRoutes } from './flows/cart-api';
import { promotionsRoutes, startRedemptionReversalConsumer } from './modules/promotions';
import { pricingRoutes } from './flows/pricing-api';
import { profileSearchRoutes } from './flows/profile-search';
import { dashboardRoutes } from './flows/dashboard';
import { sdkRoutes } from './sdk';
import { demoRoutes } from './demo';
import { consoleRoutes } from './console';

export interface BuildAppOptions {
  config: Config;
  /** Use an already open database (tests share one); otherwise one is opened from config. */
  db?: Database;
  /** Pino logger options or false; defaults to config.logLevel. */
  logger?: boolean | Record<string, unknown>;
  /** Where the default logger writes (stdout when absent): tests read what the server logs. */
  logStream?: { write(line: string): void };
}

export interface BuiltApp {
  app: App;
  /** Every route registered, with the permission it declares. */
  routes: RouteEntry[];
  ctx: AppContext;
  writer: IngestWriter;
  /** Present when this start created the first workspace. */
  bootstrap?: { workspaceId: string; adminToken: string; writeKey: string; generated: boolean };
  /** Present when this start created the first console admin (the password only when generated). */
  consoleAdmin?: { email: string; password: string; generated: boolean };
}

const SECRET_PARAMS = /([?&](?:customerToken|writeKey|anonymousId)=)[^&]*/gi;

/** A URL fit for logs: credential query parameters replaced. */
export function redactQuery(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** Fastify and plugin errors that are the client's fault, mapped to our codes. */
function clientErrorCode(err: FastifyError): { code: AppError['code']; message: string; field?: string } | undefined {
  if (err.validation) {
    const v = err.validation[0];
    const where = `${err.validationContext ?? 'request'}${v?.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`;
    // Name the field that is not allowed, not just the object that holds it.
    const extra = v?.keyword === 'additionalProperties' ? (v.params as { additionalProperty?: unknown }).additionalProperty : undefined;
    if (typeof extra === 'string') return { code: 'validation_failed', message: `${where}.${extra}: is not a field of this request`, field: `${where}.${extra}` };
    return { code: 'validation_failed', message: `${where}: ${v?.message ?? 'invalid'}`, field: where };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', message: 'Request body is too large (the limit is 500 KB per batch, 32 KB per event)' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_json', message: err.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'bad_request', message: err.message };
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return { code: err.statusCode === 404 ? 'not_found' : 'bad_request', message: err.message };
  }
  return undefined;
}

export async function buildApp(options: BuildAppOptions): Promise<BuiltApp> {
  const { config } = options;
  const logger =
    options.logger === undefined
      ? {
          level: config.logLevel,
          redact: ['req.headers.authorization'],
          // EventSource clients pass credentials in the query string: never log them.
          serializers: {
            req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({ method: req.method, url: redactQuery(req.url), host: req.hostname, remoteAddress: req.ip }),
          },
          ...(options.logStream ? { stream: options.logStream } : {}),
        }
      : options.logger;
  const app = Fastify({
    logger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    },
    requestIdHeader: false,
    // Who the client is (request.ip, for the sign-in throttle and the audit trail) and whether it
    // came over https: from X-Forwarded-* only when the peer is a trusted proxy.
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    frameworkErrors: (err, request, reply) => {
      const e = routerError(err);
      // The option's reply type is generic over schemas no route has yet.
      (reply as unknown as FastifyReply).code(e.status).send({ error: { code: e.code, message: e.message, requestId: request.id, ...e.details } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // Before any route: every route inherits these (see platform/input-guard.ts).
  app.addHook('preValidation', checkUrlEncoding);
  app.addHook('preHandler', checkStorableInput);
  // A DELETE carries no body, but clients send `Content-Type: application/json` on every call:
  // an empty body is no body. Otherwise Fastify's own parser (prototype poisoning refused).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (request.method === 'DELETE' && (body as string).trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });

  const db = options.db ?? (await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize }));
  const ownsDb = !options.db;
  await runMigrations(db);
  const rekeyed = await rekeyUnkeyedSuppressions(db);
  if (rekeyed > 0) app.log.info({ rekeyed }, 'suppressions written before keyed hashes are now keyed');
  const ctx: AppContext = { config, db, log: app.log };

  const boot = await bootstrapWorkspace(db.orm, {
    adminToken: config.adminToken,
    writeKey: config.writeKey,
    defaultCountry: config.defaultCountry,
    timeZone: config.defaultTimeZone,
  });

  // The first console admin, for the first workspace (also for data made before console users existed).
  const firstWorkspace = boot?.workspace.id ?? (await firstWorkspaceId(db.orm));
  const consoleAdmin = firstWorkspace ? await ensureBootstrapAdmin(db.orm, firstWorkspace, { email: config.adminEmail, password: config.adminPassword }) : undefined;

  const routes = requireRoutePermissions(app);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (isAppError(err)) {
      if (err.headers) reply.headers(err.headers);
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, requestId: request.id, ...(err.details ?? {}) } });
    }
    const mapped = clientErrorCode(err as FastifyError);
    if (mapped) {
      const e = new AppError(mapped.code, mapped.message);
      return reply.code(e.status).send({ error: { code: e.code, message: e.message, requestId: request.id, ...(mapped.field ? { field: mapped.field } : {}) } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'Internal error; quote the request id when reporting it', requestId: request.id } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}`, requestId: request.id } });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Omni API',
        version: '0.1.0',
        description:
          'Omni: one customer across every channel. The Segment-compatible tracking API (/v1/*, write key) and the admin API (/api/v1/*, Bearer admin token).',
      },
      components: {
        securitySchemes: {
          writeKey: { type: 'http', scheme: 'basic', description: 'Write key as the username, empty password.' },
          adminToken: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ adminToken: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(ErrorResponse);

  app.get('/health', {
    schema: { tags: ['system'], summary: 'Liveness and database kind', security: [], response: { 200: Type.Object({ status: Type.Literal('ok'), db: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]) }) } },
  }, async () => ({ status: 'ok' as const, db: db.kind }));

  const writer = new IngestWriter(db, app.log, config.ingestMaxBatch);
  const guard = createConsoleGuard(ctx);
  await app.register(usersRoutes(ctx, guard));
  await app.register(ingestRoutes(ctx, writer));
  await app.register(workspacesRoutes(ctx, guard));
  await app.register(profilesRoutes(ctx, guard, countEventsByProfileAndChannel));
  await app.register(timelineRoutes(ctx, guard));
  await app.register(privacyRoutes(ctx, guard));
  await app.register(catalogRoutes(ctx, guard));
  await app.register(inventoryRoutes(ctx, guard));
  await app.register(ordersRoutes(ctx, guard));
  await app.register(placeOrderRoutes(ctx, guard, writer));
  const cartHub = new CartHub(db, app.log);
  await cartHub.start();
  await app.register(adminCartRoutes(ctx, guard, cartHub));
  await app.register(storeCartRoutes(ctx, cartHub, writer));
  await app.register(customerTokenRoutes(ctx, guard, writer));
  await app.register(promotionsRoutes(ctx, guard));
  await app.register(pricingRoutes(ctx, guard));
  await app.register(profileSearchRoutes(ctx, guard));
  await app.register(demoRoutes(ctx, writer));
  await app.register(dashboardRoutes(ctx, guard));
  await app.register(auditRoutes(ctx, guard));
  await app.register(deadLetterRoutes(ctx, guard));
  await app.register(sdkRoutes);
  // Last: every other browser path is the console.
  await app.register(consoleRoutes());

  // Background work: expired reservations go back on the shelf; merges fold commerce facts.
  const stopWorkers: (() => Promise<void>)[] = [];
  if (config.runWorkers) {
    stopWorkers.push(startReservationSweeper(db, app.log, config.reservationSweepMs));
    const facts = await startCommerceFactsConsumer(db, app.log, async (ex, ws) => (await getWorkspace(ex, ws)).currency);
    stopWorkers.push(() => facts.stop());
    const cartMerges = await startCartMergeConsumer(db, app.log);
    stopWorkers.push(() => cartMerges.stop());
    const reversals = await startRedemptionReversalConsumer(db, app.log);
    stopWorkers.push(() => reversals.stop());
  }

  // Live cart streams end first, or closing would wait on them.
  app.addHook('preClose', async () => {
    await cartHub.stop();
  });
  app.addHook('onClose', async () => {
    await Promise.all(stopWorkers.map((stop) => stop()));
    await writer.close();
    if (ownsDb) await db.close();
  });

  await app.ready();
  return {
    app,
    routes,
    ctx,
    writer,
    ...(boot ? { bootstrap: { workspaceId: boot.workspace.id, adminToken: boot.adminToken, writeKey: boot.writeKey, generated: boot.generated } } : {}),
    ...(consoleAdmin ? { consoleAdmin } : {}),
  };
}
