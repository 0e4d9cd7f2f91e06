/**
 * Locale formatting: money is an integer in the currency's minor units (VND has none), shown
 * with the locale's separators and symbol (1.250.000 ₫ in vi-VN); dates in the workspace's time
 * zone.
 */
import { useMemo } from 'react';
import { useI18n } from './i18n';
import { useWorkspace } from '../hooks/api/session';

const fractionCache = new Map<string, number>();

/** How many minor units digits a currency has (VND 0, USD 2). */
export function currencyDigits(currency: string): number {
  let d = fractionCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    fractionCache.set(currency, d);
  }
  return d;
}

export function toMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyDigits(currency);
}

export function toMinor(major: number, currency: string): number {
  return Math.round(major * 10 ** currencyDigits(currency));
}

export interface Formatters {
  locale: string;
  timeZone: string;
  currency: string;
  money: (minor: number | null | undefined, currency?: string) => string;
  /** Short money for chart axes: 1,2 tr ₫ / 1.2M ₫. */
  moneyCompact: (minor: number, currency?: string) => string;
  number: (n: number | null | undefined) => string;
  percent: (ratio: number) => string;
  date: (iso: string | Date | null | undefined) => string;
  dateTime: (iso: string | Date | null | undefined) => string;
  relative: (iso: string | Date | null | undefined) => string;
}

export function makeFormatters(locale: string, timeZone: string, currency: string): Formatters {
  const num = new Intl.NumberFormat(locale);
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateFmt = new Intl.DateTimeFormat(locale, { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const moneyFmts = new Map<string, Intl.NumberFormat>();
  const moneyFmt = (c: string) => {
    let f = moneyFmts.get(c);
    if (!f) {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency: c, maximumFractionDigits: currencyDigits(c) });
      moneyFmts.set(c, f);
    }
    return f;
  };
  const asDate = (v: string | Date) => (v instanceof Date ? v : new Date(v));
  return {
    locale,
    timeZone,
    currency,
    money: (minor, c = currency) => (minor === null || minor === undefined ? '—' : moneyFmt(c).format(toMajor(minor, c))),
    moneyCompact: (minor, c = currency) =>
      new Intl.NumberFormat(locale, { style: 'currency', currency: c, notation: 'compact', maximumFractionDigits: 1 }).format(toMajor(minor, c)),
    number: (n) => (n === null || n === undefined ? '—' : num.format(n)),
    percent: (r) => pct.format(r),
    date: (v) => (v ? dateFmt.format(asDate(v)) : '—'),
    dateTime: (v) => (v ? dateTimeFmt.format(asDate(v)) : '—'),
    relative: (v) => {
      if (!v) return '—';
      const s = (asDate(v).getTime() - Date.now()) / 1000;
      const abs = Math.abs(s);
      if (abs < 60) return rel.format(Math.round(s), 'second');
      if (abs < 3600) return rel.format(Math.round(s / 60), 'minute');
      if (abs < 86400) return rel.format(Math.round(s / 3600), 'hour');
      if (abs < 86400 * 30) return rel.format(Math.round(s / 86400), 'day');
      if (abs < 86400 * 365) return rel.format(Math.round(s / (86400 * 30)), 'month');
      return rel.format(Math.round(s / (86400 * 365)), 'year');
    },
  };
}

/** Formatters for the current language and the signed-in workspace. */
export function useFormat(): Formatters {
  const { locale } = useI18n();
  const ws = useWorkspace();
  const timeZone = ws.data?.timeZone ?? 'Asia/Ho_Chi_Minh';
  const currency = ws.data?.currency ?? 'VND';
  return useMemo(() => makeFormatters(locale, timeZone, currency), [locale, timeZone, currency]);
}
