import { Type } from 'typebox';
import type { AdminGuard, App, AppContext } from '../../platform/context';
import { adminActor, adminWorkspace } from '../../platform/context';
import { ErrorResponse, JsonObject, Nullable } from '../../platform/schema';
import { AppError } from '../../platform/errors';
import { recordAudit } from '../../platform/audit';
import { callerHas } from '../../platform/permissions';
import * as service from './promotions.service';

const Status = Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('active'), Type.Literal('paused'), Type.Literal('ended')]);
const Money = Type.Integer({ minimum: 1, maximum: 100_000_000_000, description: 'Minor units (VND: đồng).' });
const DateTimeString = Type.String({ format: 'date-time' });

export const PromotionSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    status: Status,
    priority: Type.Integer(),
    stacking: Type.Union([Type.Literal('exclusive'), Type.Literal('combinable')]),
    requiresCode: Type.Boolean(),
    reward: JsonObject,
    conditions: Nullable(JsonObject),
    startsAt: Nullable(DateTimeString),
    endsAt: Nullable(DateTimeString),
    usageLimit: Nullable(Type.Integer()),
    perCustomerLimit: Nullable(Type.Integer()),
    budget: Nullable(Type.Integer()),
    uses: Type.Integer(),
    discountGiven: Type.Integer(),
    createdAt: DateTimeString,
    updatedAt: DateTimeString,
  },
  { $id: 'Promotion' },
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, description: 'Higher applies first; ties: older first.' })),
  stacking: Type.Optional(Type.Union([Type.Literal('exclusive'), Type.Literal('combinable')], { description: 'exclusive applies alone; combinable stacks with other combinable promotions.' })),
  requiresCode: Type.Optional(Type.Boolean({ description: 'Only with one of its codes (default: automatic).' })),
  reward: Type.Object({}, {
    additionalProperties: true,
    description:
      'One of: {type:"percentage", percent, target, maxDiscount?} · {type:"fixed", amount, target} · {type:"buy_x_get_y", buy:{items, quantity}, get:{items, quantity, percent}, maxApplications?} · {type:"tiered_spend", tiers:[{minSpend, amountOff|percentOff}], target?} · {type:"free_shipping", maxAmount?} · {type:"gift", variantId, quantity}. target: {scope:"order"} | {scope:"products", productIds} | {scope:"categories", categoryIds}.',
  }),
  conditions: Type.Optional(Nullable(Type.Object({}, {
    additionalProperties: true,
    description:
      'A tree of {all:[…]} / {any:[…]} / {not:…} over: channel, channelType, schedule, tier, firstOrder, birthdayMonth, boughtCategory {categoryIds, withinDays}, totalSpent {gte}, orderCount {gte}, lastStore {in}, cartSubtotal {gte}, trait {key, op, value}.',
  }))),
  startsAt: Type.Optional(Nullable(DateTimeString)),
  endsAt: Type.Optional(Nullable(DateTimeString)),
  usageLimit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000 }))),
  perCustomerLimit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000 }))),
  budget: Type.Optional(Nullable(Money)),
};

const CreateBody = Type.Object({ ...fields, status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('active')])) }, { additionalProperties: false });
const UpdateBody = Type.Partial(Type.Object(fields), { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const CodeSchema = Type.Object({
  code: Type.String({ description: 'The code; masked (only its last two characters) when it is an unused code of a unique batch and the caller may not export codes.' }),
  masked: Type.Boolean(),
  batchId: Nullable(Type.String()),
  maxUses: Nullable(Type.Integer()),
  uses: Type.Integer(),
  createdAt: DateTimeString,
});

/** An unused single-use code is as good as money: show only enough to tell codes apart. */
function maskCode(code: string): string {
  return `${'•'.repeat(Math.max(code.length - 2, 4))}${code.slice(-2)}`;
}
const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export function promotionsRoutes(ctx: AppContext, guard: AdminGuard) {
  const orm = ctx.db.orm;
  const actorOf = adminActor;
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    app.addSchema(PromotionSchema);

    app.post('/api/v1/promotions', {
      config: { permission: 'promotions.write' },
      schema: { tags: ['promotions'], summary: 'Create a promotion (draft unless status is active)', body: CreateBody, response: { 201: PromotionSchema, ...errors } },
    }, async (req, reply) => reply.code(201).send(await service.createPromotion(orm, adminWorkspace(req), req.body, actorOf(req))));

    app.get('/api/v1/promotions', {
      config: { permission: 'promotions.read' },
      schema: { tags: ['promotions'], summary: 'List promotions', querystring: Type.Object({ status: Type.Optional(Status) }), response: { 200: Type.Object({ data: Type.Array(PromotionSchema) }) } },
    }, async (req) => ({ data: await service.listPromotions(orm, adminWorkspace(req), req.query.status ? { status: req.query.status } : {}) }));

    app.get('/api/v1/promotions/:id', {
      config: { permission: 'promotions.read' },
      schema: { tags: ['promotions'], summary: 'A promotion', params: IdParams, response: { 200: PromotionSchema, ...errors } },
    }, async (req) => service.getPromotion(orm, adminWorkspace(req), req.params.id));

    app.patch('/api/v1/promotions/:id', {
      config: { permission: 'promotions.write' },
      schema: { tags: ['promotions'], summary: 'Change a promotion (audited)', params: IdParams, body: UpdateBody, response: { 200: PromotionSchema, ...errors } },
    }, async (req) => service.updatePromotion(orm, adminWorkspace(req), req.params.id, req.body, actorOf(req)));

    app.post('/api/v1/promotions/:id/status', {
      config: { permission: 'promotions.write' },
      schema: {
        tags: ['promotions'],
        summary: 'Lifecycle: draft → active | ended; active → paused | ended; paused → active | ended (audited)',
        params: IdParams,
        body: Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('ended'), Type.Literal('draft')]) }, { additionalProperties: false }),
        response: { 200: PromotionSchema, ...errors },
      },
    }, async (req) => service.setPromotionStatus(orm, adminWorkspace(req), req.params.id, req.body.status, actorOf(req)));

    app.get('/api/v1/promotions/:id/audit', {
      config: { permission: 'promotions.read' },
      schema: {
        tags: ['promotions'],
        summary: 'Every change: who, what, before and after',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ id: Type.String(), actor: Type.String(), action: Type.String(), before: Type.Unknown(), after: Type.Unknown(), at: DateTimeString })) }), ...errors },
      },
    }, async (req) => ({ data: await service.getPromotionAudit(orm, adminWorkspace(req), req.params.id) }));

    app.post('/api/v1/promotions/:id/codes', {
      config: { permission: 'promotions.write' },
      schema: {
        tags: ['promotions'],
        summary: 'Add one shared code ({code}) or a batch of unique codes ({count}, single-use unless maxUses)',
        params: IdParams,
        body: Type.Object(
          {
            code: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
            count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            prefix: Type.Optional(Type.String({ maxLength: 20, pattern: '^[A-Za-z0-9_-]*$' })),
            length: Type.Optional(Type.Integer({ minimum: 6, maximum: 24 })),
            maxUses: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ batchId: Nullable(Type.String()), count: Type.Integer(), codes: Type.Array(Type.String()) }), ...errors },
      },
    }, async (req, reply) => {
      const made = await service.createCodes(orm, adminWorkspace(req), req.params.id, req.body, actorOf(req));
      return reply.code(201).send({ ...made, count: made.codes.length });
    });

    app.get('/api/v1/promotions/:id/codes', {
      config: { permission: 'promotions.read' },
      schema: {
        tags: ['promotions'],
        summary:
          'Codes of a promotion; ?format=csv downloads them (code, batch, uses, max uses). Unused codes of a unique batch are secrets: they are masked unless the caller has promotion_codes.export (admin), and showing them is audited; the CSV needs that permission.',
        params: IdParams,
        querystring: Type.Object({ batchId: Type.Optional(Type.String({ maxLength: 100 })), format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }),
        produces: ['application/json', 'text/csv'],
        response: { 200: Type.Union([Type.Object({ data: Type.Array(CodeSchema) }), Type.String({ description: 'The CSV (format=csv).' })]), 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (req, reply) => {
      const mayExport = callerHas(req, 'promotion_codes.export');
      if (req.query.format === 'csv' && !mayExport) {
        throw new AppError('forbidden', `The ${req.admin?.role ?? ''} role does not have the promotion_codes.export permission`, { permission: 'promotion_codes.export' });
      }
      const codes = await service.listCodes(orm, adminWorkspace(req), req.params.id, req.query.batchId);
      const secret = (c: (typeof codes)[number]) => c.batchId !== null && (c.maxUses === null || c.uses < c.maxUses);
      const revealed = mayExport ? codes.filter(secret).length : 0;
      if (revealed > 0) {
        await recordAudit(orm, req, {
          action: 'promotion_codes.exported',
          subjectType: 'promotion',
          subjectId: req.params.id,
          details: { format: req.query.format ?? 'json', unusedCodes: revealed, ...(req.query.batchId ? { batchId: req.query.batchId } : {}) },
        });
      }
      if (req.query.format === 'csv') {
        const lines = ['code,batch_id,uses,max_uses,created_at', ...codes.map((c) => `${c.code},${c.batchId ?? ''},${c.uses},${c.maxUses ?? ''},${c.createdAt}`)];
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${req.params.id}-codes.csv"`)
          .send(`${lines.join('\n')}\n`);
      }
      return { data: codes.map((c) => (!mayExport && secret(c) ? { ...c, code: maskCode(c.code), masked: true } : { ...c, masked: false })) };
    });

    app.get('/api/v1/promotions/:id/report', {
      config: { permission: 'promotions.read' },
      schema: {
        tags: ['promotions'],
        summary: 'Uses, customers, discount given and revenue of the orders that used it, by channel',
        params: IdParams,
        response: {
          200: Type.Object({
            promotionId: Type.String(),
            uses: Type.Integer(),
            customers: Type.Integer(),
            discountGiven: Type.Integer(),
            revenue: Type.Integer(),
            byChannel: Type.Array(Type.Object({ channelId: Type.String(), uses: Type.Integer(), customers: Type.Integer(), discountGiven: Type.Integer(), revenue: Type.Integer() })),
          }),
          ...errors,
        },
      },
    }, async (req) => service.getPromotionReport(orm, adminWorkspace(req), req.params.id));
  };
}
