/**
 * ECharts options of the dashboard: one colour per channel (the console's channel look, as the
 * theme's hex), days on the x axis, money through the formatters.
 */
import type { MantineTheme } from '@mantine/core';
import type { ChartOption } from '../../components/chart';
import { channelLook } from '../../components/channels';
import type { Formatters } from '../../lib/format';
import type { Lang } from '../../lib/i18n';
import type { Dashboard } from '../../hooks/api/dashboard';

const FALLBACK_LOOK = channelLook(null);

/** A channel's name in the console's words; an unknown channel keeps its own name. */
export function channelName(key: string, lang: Lang): string {
  const look = channelLook(key);
  return look === FALLBACK_LOOK ? key : look.label[lang];
}

/** The channel's colour as hex; `shade` picks lighter or darker tones for channels that share a look. */
export function channelColor(theme: MantineTheme, key: string | null, shade = 6): string {
  const palette = theme.colors[channelLook(key).color] ?? theme.colors.gray;
  return palette[shade] ?? palette[6];
}

/** Shades for sales channels of the same type: 6, then 4, 8, 3, 9 … */
const SHADES = [6, 4, 8, 3, 9, 5, 7, 2];

export interface SalesSeries {
  id: string;
  name: string;
  look: string;
  color: string;
}

/** One colour per sales channel: its type's (or platform's) look, shaded when several share it. */
export function salesSeries(data: Dashboard, theme: MantineTheme): SalesSeries[] {
  const used = new Map<string, number>();
  return data.salesChannels.map((c) => {
    const look = c.platform && channelLook(c.platform) !== FALLBACK_LOOK ? c.platform : c.type;
    const color = channelLook(look).color;
    const n = used.get(color) ?? 0;
    used.set(color, n + 1);
    return { id: c.id, name: c.name, look, color: channelColor(theme, look, SHADES[n % SHADES.length]) };
  });
}

/** Short day labels (01/03) for axes; days are calendar days, formatted as such. */
export function dayLabeller(locale: string): (day: string) => string {
  const fmt = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', timeZone: 'UTC' });
  return (day) => fmt.format(new Date(`${day}T00:00:00Z`));
}

interface Ctx {
  theme: MantineTheme;
  f: Formatters;
  lang: Lang;
}

const GRID = { left: 8, right: 12, top: 16, bottom: 44, outerBoundsMode: 'same' as const, outerBoundsContain: 'axisLabel' as const };
const LEGEND = { bottom: 0, icon: 'circle', itemWidth: 10, itemHeight: 10, itemGap: 16, textStyle: { fontSize: 12 } };

function axisStyle(theme: MantineTheme) {
  return {
    axisLine: { lineStyle: { color: theme.colors.gray[3] } },
    axisTick: { show: false },
    axisLabel: { color: theme.colors.gray[6], fontSize: 11 },
    splitLine: { lineStyle: { color: theme.colors.gray[2] } },
  };
}

/** Per channel (ordered as `channels`), a value per day of the range. */
function perDay<R extends { day: string }>(days: string[], rows: R[], keyOf: (r: R) => string, valueOf: (r: R) => number, keys: string[]): Map<string, number[]> {
  const index = new Map(days.map((d, i) => [d, i]));
  const out = new Map(keys.map((k) => [k, days.map(() => 0)]));
  for (const r of rows) {
    const i = index.get(r.day);
    const list = out.get(keyOf(r));
    if (i !== undefined && list) list[i] = (list[i] ?? 0) + valueOf(r);
  }
  return out;
}

/** Active customers per day, stacked by event channel. */
export function customersOption(data: Dashboard, { theme, f, lang }: Ctx): ChartOption {
  const channels = data.activityChannels.map((c) => c.channel);
  const values = perDay(data.days, data.activity, (r) => r.channel, (r) => r.customers, channels);
  const label = dayLabeller(f.locale);
  const axis = axisStyle(theme);
  return {
    color: channels.map((c) => channelColor(theme, c)),
    tooltip: { trigger: 'axis', valueFormatter: (v) => f.number(Number(v)) },
    legend: LEGEND,
    grid: GRID,
    xAxis: { type: 'category', boundaryGap: false, data: data.days.map(label), ...axis, splitLine: { show: false } },
    yAxis: { type: 'value', minInterval: 1, ...axis, axisLine: { show: false }, axisLabel: { ...axis.axisLabel, formatter: (v: number) => f.number(v) } },
    series: channels.map((c) => ({
      name: channelName(c, lang),
      type: 'line',
      stack: 'customers',
      smooth: 0.3,
      smoothMonotone: 'x',
      symbol: 'none',
      lineStyle: { width: 1.5 },
      areaStyle: { opacity: 0.35 },
      emphasis: { focus: 'series' },
      data: values.get(c),
    })),
  };
}

/** Events per day, stacked bars by event channel. */
export function eventsOption(data: Dashboard, { theme, f, lang }: Ctx): ChartOption {
  const channels = [...data.activityChannels].sort((a, b) => b.events - a.events).map((c) => c.channel);
  const values = perDay(data.days, data.activity, (r) => r.channel, (r) => r.events, channels);
  const label = dayLabeller(f.locale);
  const axis = axisStyle(theme);
  return {
    color: channels.map((c) => channelColor(theme, c)),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => f.number(Number(v)) },
    legend: LEGEND,
    grid: GRID,
    xAxis: { type: 'category', data: data.days.map(label), ...axis, splitLine: { show: false } },
    yAxis: { type: 'value', minInterval: 1, ...axis, axisLine: { show: false }, axisLabel: { ...axis.axisLabel, formatter: (v: number) => f.number(v) } },
    series: channels.map((c) => ({
      name: channelName(c, lang),
      type: 'bar',
      stack: 'events',
      barMaxWidth: 28,
      emphasis: { focus: 'series' },
      data: values.get(c),
    })),
  };
}

/** Revenue per day stacked by sales channel, with the day's orders as a line on the right axis. */
export function revenueOption(data: Dashboard, { theme, f }: Ctx, labels: { orders: string }): ChartOption {
  const series = salesSeries(data, theme);
  const revenue = perDay(data.days, data.sales, (r) => r.channelId, (r) => r.revenue, series.map((s) => s.id));
  const orders = data.days.map(() => 0);
  const index = new Map(data.days.map((d, i) => [d, i]));
  for (const r of data.sales) {
    const i = index.get(r.day);
    if (i !== undefined) orders[i] = (orders[i] ?? 0) + r.orders;
  }
  const label = dayLabeller(f.locale);
  const axis = axisStyle(theme);
  return {
    color: [...series.map((s) => s.color), theme.colors.dark[4]],
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params) => {
        const list = Array.isArray(params) ? params : [params];
        const head = list[0]?.name ?? '';
        const rows = list
          .filter((p) => p.seriesName === labels.orders || Number(p.value) > 0)
          .map((p) => {
            const value = p.seriesName === labels.orders ? f.number(Number(p.value)) : f.money(Number(p.value));
            return `<div style="display:flex;justify-content:space-between;gap:16px">${String(p.marker)}<span style="flex:1">${p.seriesName}</span><b>${value}</b></div>`;
          });
        return `<div style="margin-bottom:4px">${head}</div>${rows.join('')}`;
      },
    },
    legend: LEGEND,
    grid: { ...GRID, right: 8 },
    xAxis: { type: 'category', data: data.days.map(label), ...axis, splitLine: { show: false } },
    yAxis: [
      { type: 'value', ...axis, axisLine: { show: false }, axisLabel: { ...axis.axisLabel, formatter: (v: number) => f.moneyCompact(v) } },
      { type: 'value', minInterval: 1, ...axis, axisLine: { show: false }, splitLine: { show: false }, axisLabel: { ...axis.axisLabel, formatter: (v: number) => f.number(v) } },
    ],
    series: [
      ...series.map((s) => ({
        name: s.name,
        type: 'bar' as const,
        stack: 'revenue',
        barMaxWidth: 28,
        emphasis: { focus: 'series' as const },
        data: revenue.get(s.id),
      })),
      {
        name: labels.orders,
        type: 'line' as const,
        yAxisIndex: 1,
        smooth: 0.3,
        symbol: 'circle',
        symbolSize: 5,
        lineStyle: { width: 2, type: 'dashed' as const },
        data: orders,
      },
    ],
  };
}

/** Revenue share by sales channel, the period's revenue in the middle. */
export function revenueShareOption(data: Dashboard, { theme, f }: Ctx): ChartOption {
  const series = salesSeries(data, theme);
  return {
    color: series.map((s) => s.color),
    tooltip: { trigger: 'item', formatter: (p) => (Array.isArray(p) ? '' : `${String(p.marker)} ${p.name}<br/><b>${f.money(Number(p.value))}</b> · ${f.percent((p.percent ?? 0) / 100)}`) },
    series: [
      {
        type: 'pie',
        radius: ['58%', '82%'],
        center: ['50%', '50%'],
        avoidLabelOverlap: true,
        padAngle: 1.5,
        itemStyle: { borderRadius: 4 },
        label: { show: false },
        data: data.salesChannels.map((c) => ({ name: c.name, value: c.revenue })),
      },
    ],
  };
}

/** The multi-channel share as a ring gauge. */
export function multichannelOption(share: number, { theme, f }: Ctx): ChartOption {
  return {
    series: [
      {
        type: 'gauge',
        startAngle: 90,
        endAngle: -270,
        min: 0,
        max: 1,
        radius: '92%',
        pointer: { show: false },
        progress: { show: true, roundCap: true, width: 14, itemStyle: { color: theme.colors.teal[6] } },
        axisLine: { lineStyle: { width: 14, color: [[1, theme.colors.gray[2]]] } },
        splitLine: { show: false },
        axisTick: { show: false },
        axisLabel: { show: false },
        anchor: { show: false },
        title: { show: false },
        detail: {
          offsetCenter: [0, 0],
          fontSize: 26,
          fontWeight: 700,
          color: theme.colors.dark[7],
          formatter: (v: number) => f.percent(v),
        },
        data: [{ value: share }],
      },
    ],
  };
}
