/** The dashboard: activity, sales, multi-channel share and paths to a first order over a range of days. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { get } from '../../lib/api';
import type { Item, Json } from '../../api/types';

/** The dashboard over a range of days (GET /api/v1/dashboard). */
export type Dashboard = Json<'/api/v1/dashboard'>;
export type DashboardTotals = Dashboard['totals'];
export type ChannelPath = Item<Dashboard['topPaths']['paths']>;

/** Days YYYY-MM-DD in the workspace's time zone, both inclusive; omitted: the last 30 days. */
export function useDashboard(range: { from?: string; to?: string }) {
  return useQuery({
    queryKey: ['dashboard', range.from ?? null, range.to ?? null],
    queryFn: () => get<Dashboard>('/api/v1/dashboard', { from: range.from, to: range.to }),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}
