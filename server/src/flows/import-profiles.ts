/**
 * CSV import of customer profiles (e.g. a POS or CRM export). Each row becomes an `identify`
 * message that goes through the same path as live events — validation, identity resolution,
 * group commit — so imported customers merge with the ones already known.
 *
 * Idempotent: a row's messageId is a hash of the workspace, the source and the row's mapped
 * content, so importing the same file twice stores nothing new; a changed row updates traits.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parse } from 'csv-parse';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/client';
import { ingestMessages, IngestWriter } from '../modules/ingest';
import { foldForSearch } from '../modules/profiles';
import { CHANNEL_TYPES, createSource, listSources, updateSource, type ChannelType, type Source } from '../modules/workspaces';

/** Where a CSV column goes: an identifier type, or a trait key. */
export type ColumnTarget = { kind: 'identifier'; type: string } | { kind: 'trait'; key: string } | { kind: 'skip' };

const STANDARD_IDENTIFIERS = new Set(['user_id', 'email', 'phone', 'anonymous_id']);

/** Header names understood without a mapping (compared without accents, case or punctuation). */
const HEADER_ALIASES: Record<string, ColumnTarget> = {
  userid: { kind: 'identifier', type: 'user_id' },
  customerid: { kind: 'identifier', type: 'user_id' },
  makhachhang: { kind: 'identifier', type: 'user_id' },
  makh: { kind: 'identifier', type: 'user_id' },
  email: { kind: 'identifier', type: 'email' },
  emailaddress: { kind: 'identifier', type: 'email' },
  phone: { kind: 'identifier', type: 'phone' },
  phonenumber: { kind: 'identifier', type: 'phone' },
  mobile: { kind: 'identifier', type: 'phone' },
  sodienthoai: { kind: 'identifier', type: 'phone' },
  sdt: { kind: 'identifier', type: 'phone' },
  dienthoai: { kind: 'identifier', type: 'phone' },
  zaloid: { kind: 'identifier', type: 'zalo_id' },
  loyaltycard: { kind: 'identifier', type: 'loyalty_card' },
  thethanhvien: { kind: 'identifier', type: 'loyalty_card' },
  name: { kind: 'trait', key: 'name' },
  fullname: { kind: 'trait', key: 'name' },
  hoten: { kind: 'trait', key: 'name' },
  hovaten: { kind: 'trait', key: 'name' },
  tenkhachhang: { kind: 'trait', key: 'name' },
};

function headerKey(h: string): string {
  return foldForSearch(h).replace(/[^a-z0-9]/g, '');
}

function snake(h: string): string {
  // Split camelCase before folding (folding lower-cases).
  return foldForSearch(h.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Parse `--map "Số ĐT=phone,Mã KH=user_id,Thẻ=id:loyalty_card,Hạng=trait:tier,Ghi chú=skip"`.
 * Targets: user_id | email | phone | anonymous_id | id:<type> | trait:<key> | skip.
 */
export function parseMapping(spec: string | undefined): Map<string, ColumnTarget> {
  const out = new Map<string, ColumnTarget>();
  if (!spec) return out;
  for (const part of spec.split(',')) {
    const i = part.lastIndexOf('=');
    if (i <= 0) throw new Error(`--map: "${part}" is not column=target`);
    const column = part.slice(0, i).trim();
    const target = part.slice(i + 1).trim();
    if (target === 'skip') out.set(column, { kind: 'skip' });
    else if (STANDARD_IDENTIFIERS.has(target)) out.set(column, { kind: 'identifier', type: target });
    else if (target.startsWith('id:') && /^[a-z0-9_]{1,64}$/.test(target.slice(3))) out.set(column, { kind: 'identifier', type: target.slice(3) });
    else if (target.startsWith('trait:') && target.length > 6) out.set(column, { kind: 'trait', key: target.slice(6) });
    else throw new Error(`--map: unknown target "${target}" for column "${column}" (use user_id, email, phone, anonymous_id, id:<type>, trait:<key> or skip)`);
  }
  return out;
}

export function resolveColumns(headers: string[], mapping: Map<string, ColumnTarget>): Map<string, ColumnTarget> {
  const out = new Map<string, ColumnTarget>();
  for (const h of headers) {
    out.set(h, mapping.get(h) ?? HEADER_ALIASES[headerKey(h)] ?? { kind: 'trait', key: snake(h) || 'column' });
  }
  return out;
}

export interface ImportProgress {
  rows: number;
  imported: number;
  unchanged: number;
  failed: number;
}

export interface RowError {
  row: number;
  message: string;
}

export interface ImportResult extends ImportProgress {
  errors: RowError[];
  seconds: number;
  sourceId: string;
}

/** The import's own source: trusted (the shop's operator runs the import from its own data). */
async function importSource(db: Database, workspaceId: string, channel: ChannelType): Promise<Source> {
  const name = `CSV import (${channel})`;
  const existing = (await listSources(db.orm, workspaceId)).find((s) => s.name === name && !s.revokedAt);
  if (existing) return existing.trust === 'server' ? existing : updateSource(db.orm, workspaceId, existing.id, { trust: 'server' });
  return (await createSource(db.orm, { workspaceId, name, channel, trust: 'server' })).source;
}

/**
 * The file line a record starts on, as a text editor shows it. The parser reports the line it
 * ends on (blank lines included); a quoted cell may span several lines.
 */
function startLine(record: Record<string, string>, endLine: number): number {
  let breaks = 0;
  for (const value of Object.values(record)) breaks += value.match(/\r\n|\r|\n/g)?.length ?? 0;
  return endLine - breaks;
}

export async function importProfilesCsv(opts: {
  db: Database;
  log: FastifyBaseLogger;
  workspaceId: string;
  file: string;
  mapping?: Map<string, ColumnTarget>;
  channel?: ChannelType;
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
}): Promise<ImportResult> {
  const started = performance.now();
  const channel = opts.channel ?? 'other';
  if (!(CHANNEL_TYPES as readonly string[]).includes(channel)) throw new Error(`unknown channel "${channel}"`);
  const source = await importSource(opts.db, opts.workspaceId, channel);
  const writer = new IngestWriter(opts.db, opts.log, 5000);
  const batchSize = opts.batchSize ?? 2000;
  const progress: ImportProgress = { rows: 0, imported: 0, unchanged: 0, failed: 0 };
  const errors: RowError[] = [];
  let columns: Map<string, ColumnTarget> | undefined;
  let pending: { row: number; message: Record<string, unknown> }[] = [];
  const inFlight = new Set<Promise<void>>();

  const flush = async (items: { row: number; message: Record<string, unknown> }[]) => {
    const result = await ingestMessages({ ex: opts.db.orm, writer }, {
      source,
      type: 'identify',
      items: items.map((i) => ({ value: i.message })),
      receivedAt: new Date(),
    });
    progress.imported += result.accepted;
    progress.unchanged += result.duplicates + result.suppressed;
    for (const r of result.rejected) {
      progress.failed++;
      errors.push({ row: items[r.index ?? 0]!.row, message: r.message });
    }
    opts.onProgress?.({ ...progress });
  };

  const parser = fs.createReadStream(opts.file).pipe(
    // Rows of empty cells (`,,,` left by spreadsheets) are blank lines, not customers.
    parse({ bom: true, columns: true, skip_empty_lines: true, skip_records_with_empty_values: true, trim: true, relax_column_count: true, info: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    progress.rows++;
    const rowNumber = startLine(record, info.lines);
    columns ??= resolveColumns(Object.keys(record), opts.mapping ?? new Map());
    const traits: Record<string, unknown> = {};
    const externalIds: { id: string; type: string; collection: string; encoding: string }[] = [];
    let userId: string | undefined;
    let anonymousId: string | undefined;
    for (const [column, target] of columns) {
      const value = record[column];
      if (value === undefined || value === '') continue;
      if (target.kind === 'trait') traits[target.key] = value;
      else if (target.kind === 'identifier') {
        if (target.type === 'user_id') userId = value;
        else if (target.type === 'anonymous_id') anonymousId = value;
        else if (target.type === 'email' || target.type === 'phone') traits[target.type] = value;
        else externalIds.push({ id: value, type: target.type, collection: 'users', encoding: 'none' });
      }
    }
    const hasIdentifier = userId !== undefined || anonymousId !== undefined || traits.email !== undefined || traits.phone !== undefined || externalIds.length > 0;
    if (!hasIdentifier) {
      progress.failed++;
      errors.push({ row: rowNumber, message: 'no identifier: the row needs a user_id, email, phone or id:<type> column with a value' });
      continue;
    }
    const content = JSON.stringify([userId, anonymousId, traits, externalIds]);
    const messageId = 'import-' + crypto.createHash('sha256').update(`${opts.workspaceId}\u0000${source.id}\u0000${content}`).digest('hex').slice(0, 40);
    // The Segment API needs userId or anonymousId: a row known only by email/phone gets a stable
    // anonymous id derived from its content's identifiers.
    const anon = anonymousId ?? (userId === undefined ? 'import-' + crypto.createHash('sha256').update(`${String(traits.email ?? '')}|${String(traits.phone ?? '')}|${JSON.stringify(externalIds)}`).digest('hex').slice(0, 24) : undefined);
    pending.push({
      row: rowNumber,
      message: {
        messageId,
        ...(userId !== undefined ? { userId } : {}),
        ...(anon !== undefined ? { anonymousId: anon } : {}),
        traits,
        ...(externalIds.length ? { context: { externalIds } } : {}),
      },
    });
    if (pending.length >= batchSize) {
      const p = flush(pending).finally(() => inFlight.delete(p));
      inFlight.add(p);
      pending = [];
      // Keep two batches in flight: one committing while the next is parsed.
      if (inFlight.size >= 2) await Promise.race(inFlight);
    }
  }
  if (pending.length) await flush(pending);
  await Promise.all(inFlight);
  await writer.close();
  // Rows refused at parse time are reported at once, rows refused by ingest when their batch commits.
  errors.sort((a, b) => a.row - b.row);
  return { ...progress, errors, seconds: (performance.now() - started) / 1000, sourceId: source.id };
}
