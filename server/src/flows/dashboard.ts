/**
 * The dashboard: which channels customers use, which sell, how many customers use more than one,
 * and which channel paths lead to a first order — over a range of days in the workspace's time
 * zone, beside the period of the same length just before it.
 *
 * Activity (events) comes from the ingest module, sales (orders) from the orders module, channel
 * names from the catalog; each counts in its own SQL and this flow only puts them together.
 */
import { Type, type Static } from 'typebox';
import type { AdminGuard, App, AppContext } from '../platform/context';
import { adminWorkspace } from '../platform/context';
import { AppError } from '../platform/errors';
import { ErrorResponse, Nullable } from '../platform/schema';
import type { Executor } from '../db/client';
import { listChannels } from '../modules/catalog';
import { getActivitySummary, getActivityTotals, getChannelPaths, hasAnyEvents } from '../modules/ingest';
import { getSalesSummary, getSalesTotals, listFirstOrders } from '../modules/orders';
import { getWorkspace } from '../modules/workspaces';

/** The longest range one request may ask for, in days. */
export const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A day, YYYY-MM-DD, in the workspace’s time zone.' });

const DashboardQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ ...Day, description: 'First day (inclusive), YYYY-MM-DD in the workspace’s time zone; default: 29 days before `to`.' })),
    to: Type.Optional(Type.String({ ...Day, description: 'Last day (inclusive), YYYY-MM-DD in the workspace’s time zone; default: today.' })),
  },
  { additionalProperties: false },
);

const Totals = Type.Object({
  customers: Type.Integer({ description: 'Customers with at least one event in the period.' }),
  newCustomers: Type.Integer({ description: 'Customers whose first event ever falls in the period.' }),
  events: Type.Integer(),
  orders: Type.Integer({ description: 'Orders placed in the period, not cancelled or returned.' }),
  revenue: Type.Integer({ description: 'Total of those orders, minor units of the workspace currency.' }),
  buyers: Type.Integer({ description: 'Distinct customers who placed those orders.' }),
  multiChannelCustomers: Type.Integer({ description: 'Active customers with events on two or more channels.' }),
  multiChannelShare: Type.Number({ description: 'multiChannelCustomers / customers (0 when none).' }),
});

const DashboardSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String(),
  currency: Type.String(),
  days: Type.Array(Type.String(), { description: 'Every day of the range, in order (days without data included).' }),
  previous: Type.Object({ from: Type.String(), to: Type.String() }, { description: 'The period of the same length just before.' }),
  hasEvents: Type.Boolean({ description: 'Whether the workspace has received any event at all (false: nothing is tracked yet).' }),
  totals: Totals,
  previousTotals: Totals,
  activity: Type.Array(
    Type.Object({ day: Type.String(), channel: Type.String(), customers: Type.Integer(), events: Type.Integer() }),
    { description: 'Per day and event channel (the source’s channel: web, app, pos, zalo …).' },
  ),
  activityChannels: Type.Array(
    Type.Object({ channel: Type.String(), customers: Type.Integer(), events: Type.Integer() }),
    { description: 'Per event channel over the whole range, most customers first.' },
  ),
  sales: Type.Array(
    Type.Object({ day: Type.String(), channelId: Type.String(), orders: Type.Integer(), revenue: Type.Integer() }),
    { description: 'Per day and sales channel.' },
  ),
  salesChannels: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      type: Type.String({ description: 'web, app, pos, marketplace, social, phone, salesperson' }),
      platform: Nullable(Type.String()),
      orders: Type.Integer(),
      revenue: Type.Integer(),
    }),
    { description: 'The sales channels with orders in the range, most revenue first.' },
  ),
  topPaths: Type.Object({
    buyers: Type.Integer({ description: 'Customers whose first order falls in the range.' }),
    paths: Type.Array(
      Type.Object({
        steps: Type.Array(Type.String(), { description: 'Event channels in time order (repeats collapsed, at most 4: the first touch and the last three), ending with the first order’s channel type.' }),
        customers: Type.Integer(),
        medianDays: Type.Number({ description: 'Median days from first touch to first order.' }),
      }),
    ),
  }),
});
export type Dashboard = Static<typeof DashboardSchema>;

// ---------------------------------------------------------------------------------------------
// Days as YYYY-MM-DD strings (calendar arithmetic in UTC, where every day has 24 hours)

const DAY_MS = 86_400_000;

function parseDay(value: string, field: 'from' | 'to'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value) {
    throw new AppError('invalid_field', `${field}: ${JSON.stringify(value)} is not a calendar day (YYYY-MM-DD)`, { field });
  }
  return t;
}

const dayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** Today in a time zone, YYYY-MM-DD. */
function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The range asked for (defaults filled in) and the period of the same length before it. */
export function resolveRange(query: { from?: string; to?: string }, timeZone: string, now = new Date()) {
  const to = parseDay(query.to ?? todayIn(timeZone, now), 'to');
  const from = query.from !== undefined ? parseDay(query.from, 'from') : to - (DEFAULT_RANGE_DAYS - 1) * DAY_MS;
  if (to < from) throw new AppError('invalid_field', `to: ${dayOf(to)} is before from (${dayOf(from)})`, { field: 'to' });
  const length = Math.round((to - from) / DAY_MS) + 1;
  if (length > MAX_RANGE_DAYS) {
    throw new AppError('invalid_field', `from: the range is ${length} days; at most ${MAX_RANGE_DAYS} days at a time`, { field: 'from' });
  }
  const days = Array.from({ length }, (_, i) => dayOf(from + i * DAY_MS));
  return {
    from: dayOf(from),
    to: dayOf(to),
    days,
    previous: { from: dayOf(from - length * DAY_MS), to: dayOf(from - DAY_MS) },
  };
}

// ---------------------------------------------------------------------------------------------

export async function getDashboard(ex: Executor, input: { workspaceId: string; from?: string; to?: string; now?: Date }): Promise<Dashboard> {
  const workspace = await getWorkspace(ex, input.workspaceId);
  const { timeZone, currency } = workspace;
  const range = resolveRange(input, timeZone, input.now);
  const current = { workspaceId: workspace.id, timeZone, from: range.from, to: range.to };
  const before = { ...current, ...range.previous };

  const [hasEvents, activity, previousActivity, sales, previousSales, firstOrders, channels] = await Promise.all([
    hasAnyEvents(ex, workspace.id),
    getActivitySummary(ex, current),
    getActivityTotals(ex, before),
    getSalesSummary(ex, { ...current, currency }),
    getSalesTotals(ex, { ...before, currency }),
    listFirstOrders(ex, current),
    listChannels(ex, workspace.id, { includeArchived: true }),
  ]);
  const paths = await getChannelPaths(ex, {
    workspaceId: workspace.id,
    buyers: firstOrders.map((o) => ({ profileId: o.profileId, at: o.placedAt, channel: o.channelType })),
    maxSteps: 4,
    limit: 10,
  });

  const totals = (a: typeof previousActivity, s: typeof previousSales) => ({
    customers: a.customers,
    newCustomers: a.newCustomers,
    events: a.events,
    orders: s.orders,
    revenue: s.revenue,
    buyers: s.buyers,
    multiChannelCustomers: a.multiChannelCustomers,
    multiChannelShare: a.customers > 0 ? a.multiChannelCustomers / a.customers : 0,
  });

  const byId = new Map(channels.map((c) => [c.id, c]));
  const perChannel = new Map<string, { orders: number; revenue: number; type: string }>();
  for (const r of sales.byDay) {
    const c = perChannel.get(r.channelId) ?? { orders: 0, revenue: 0, type: r.channelType };
    c.orders += r.orders;
    c.revenue += r.revenue;
    perChannel.set(r.channelId, c);
  }
  const salesChannels = [...perChannel.entries()]
    .map(([id, c]) => {
      const known = byId.get(id);
      return { id, name: known?.name ?? id, type: known?.type ?? c.type, platform: known?.platform ?? null, orders: c.orders, revenue: c.revenue };
    })
    .sort((a, b) => b.revenue - a.revenue || a.name.localeCompare(b.name));

  return {
    from: range.from,
    to: range.to,
    timeZone,
    currency,
    days: range.days,
    previous: range.previous,
    hasEvents,
    totals: totals(activity.totals, sales.totals),
    previousTotals: totals(previousActivity, previousSales),
    activity: activity.byDay,
    activityChannels: activity.byChannel,
    sales: sales.byDay.map(({ day, channelId, orders, revenue }) => ({ day, channelId, orders, revenue })),
    salesChannels,
    topPaths: { buyers: firstOrders.length, paths },
  };
}

export function dashboardRoutes(ctx: AppContext, guard: AdminGuard) {
  return async function routes(app: App) {
    app.addHook('onRequest', guard);
    app.get('/api/v1/dashboard', {
      config: { permission: 'dashboard.read' },
      schema: {
        tags: ['analytics'],
        summary: 'Customers, events, orders and revenue by channel per day; multi-channel share; top paths to a first order',
        description:
          'Days are in the workspace’s time zone, both ends inclusive (default: the last 30 days, at most 366). Totals come with those of the period of the same length just before. Cancelled and returned orders are not counted.',
        querystring: DashboardQuery,
        response: { 200: DashboardSchema, 400: ErrorResponse },
      },
    }, async (req) => getDashboard(ctx.db.orm, { workspaceId: adminWorkspace(req), from: req.query.from, to: req.query.to }));
  };
}
