/** The dashboard: activity, sales, multi-channel share and paths to a first order over a range of days. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { get } from '../../lib/api';

export interface DashboardTotals {
  customers: number;
  newCustomers: number;
  events: number;
  orders: number;
  /** Minor units of the workspace currency. */
  revenue: number;
  buyers: number;
  multiChannelCustomers: number;
  multiChannelShare: number;
}

export interface ChannelPath {
  /** Event channels in time order, ending with the first order's channel type. */
  steps: string[];
  customers: number;
  medianDays: number;
}

export interface Dashboard {
  from: string;
  to: string;
  timeZone: string;
  currency: string;
  /** Every day of the range, YYYY-MM-DD. */
  days: string[];
  previous: { from: string; to: string };
  hasEvents: boolean;
  totals: DashboardTotals;
  previousTotals: DashboardTotals;
  /** Per day and event channel (web, app, pos, zalo …). */
  activity: { day: string; channel: string; customers: number; events: number }[];
  activityChannels: { channel: string; customers: number; events: number }[];
  /** Per day and sales channel id. */
  sales: { day: string; channelId: string; orders: number; revenue: number }[];
  salesChannels: { id: string; name: string; type: string; platform: string | null; orders: number; revenue: number }[];
  topPaths: { buyers: number; paths: ChannelPath[] };
}

/** Days YYYY-MM-DD in the workspace's time zone, both inclusive; omitted: the last 30 days. */
export function useDashboard(range: { from?: string; to?: string }) {
  return useQuery({
    queryKey: ['dashboard', range.from ?? null, range.to ?? null],
    queryFn: () => get<Dashboard>('/api/v1/dashboard', { from: range.from, to: range.to }),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}
