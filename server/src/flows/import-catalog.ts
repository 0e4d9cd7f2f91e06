/**
 * CSV import of a catalog (a spreadsheet, a POS or marketplace export): products, their variants
 * (one per SKU), per-channel prices and the stock on hand at each location.
 *
 * Columns (header row, any order): `sku`, `product`, `price` (required); `variant`, `handle`,
 * `currency`, `barcode`, `category` ("Thời trang > Áo"), `price:<channelId>`,
 * `stock:<locationId>`. Rows with the same handle — or, without one, the same product title —
 * are variants of one product; the first such row names the product and its category.
 *
 * Idempotent: the SKU is the key. What already matches is not written, so importing the same
 * file twice changes nothing the second time; a changed price updates the variant. An empty
 * optional cell leaves the stored value as it is. Stock columns set the on-hand count through
 * inventory's stock take (`adjustStock` with `count`), audited with reason `import`.
 *
 * Rows travel in batches, one transaction per batch (catalog rows and their stock together);
 * bad rows are reported by line and skipped, the others import.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { Database, Executor } from '../db/client';
import { AppError } from '../platform/errors';
import {
  createCategory,
  findVariantsBySku,
  listCategories,
  listChannels,
  listLocations,
  upsertProductsBySku,
  type UpsertProductInput,
  type UpsertVariantOutcome,
} from '../modules/catalog';
import { adjustStock, getLevels, restock } from '../modules/inventory';
import { getWorkspace } from '../modules/workspaces';

const FIELDS = ['sku', 'product', 'variant', 'handle', 'price', 'currency', 'barcode', 'category'] as const;
type Field = (typeof FIELDS)[number];
const REQUIRED: readonly Field[] = ['sku', 'product', 'price'];
const COLUMN_LIST = 'sku, product, price, variant, handle, currency, barcode, category, price:<channelId>, stock:<locationId>';
/** Columns other catalog files have that Omni's catalog does not, with the reason. */
const NOT_IN_CATALOG: Record<string, string> = {
  compare_at_price: 'the catalog has no compare-at price',
};

/** What a CSV column holds. Columns with a blank header are ignored. */
export type CatalogColumn =
  | { kind: 'field'; field: Field }
  | { kind: 'channelPrice'; channelId: string }
  | { kind: 'stock'; locationId: string }
  | { kind: 'blank' };

/**
 * Read the header row: names are matched without regard to case or surrounding spaces
 * (channel and location ids as written). Unknown, repeated or missing columns refuse the file.
 */
export function resolveCatalogColumns(headers: string[]): CatalogColumn[] {
  const unknown: string[] = [];
  const repeated: string[] = [];
  const seen = new Set<string>();
  const columns = headers.map((raw): CatalogColumn => {
    const header = raw.trim();
    if (header === '') return { kind: 'blank' };
    const colon = header.indexOf(':');
    const name = (colon >= 0 ? header.slice(0, colon) : header).trim().toLowerCase();
    const id = colon >= 0 ? header.slice(colon + 1).trim() : '';
    let column: CatalogColumn;
    if (colon < 0 && (FIELDS as readonly string[]).includes(name)) column = { kind: 'field', field: name as Field };
    else if (name === 'price' && id !== '') column = { kind: 'channelPrice', channelId: id };
    else if (name === 'stock' && id !== '') column = { kind: 'stock', locationId: id };
    else {
      unknown.push(header);
      return { kind: 'blank' };
    }
    const key = column.kind === 'field' ? name : `${name}:${id}`;
    if (seen.has(key)) repeated.push(header);
    seen.add(key);
    return column;
  });
  const problems: string[] = [];
  if (unknown.length > 0) {
    const why = unknown.flatMap((h) => {
      const reason = NOT_IN_CATALOG[h.toLowerCase()];
      return reason ? [`${h}: ${reason}`] : [];
    });
    problems.push(
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((h) => `"${h}"`).join(', ')}` +
        (why.length > 0 ? ` (${why.join('; ')})` : '') +
        `; the columns are ${COLUMN_LIST}`,
    );
  }
  for (const h of new Set(repeated)) problems.push(`column "${h}" appears more than once`);
  const missing = REQUIRED.filter((f) => !seen.has(f));
  if (missing.length > 0) problems.push(`missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return columns;
}

export interface CatalogImportProgress {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** A problem with one row: `line N: <field>: <message>`. A row may have several. */
export interface CatalogRowError {
  line: number;
  field: string;
  message: string;
}

export interface CatalogImportResult extends CatalogImportProgress {
  productsCreated: number;
  categoriesCreated: number;
  /** Stock levels whose on-hand count the file changed. */
  stockLevelsSet: number;
  errors: CatalogRowError[];
  seconds: number;
}

interface Row {
  line: number;
  sku: string;
  /** Which product the row belongs to: its handle, else its title. */
  productKey: string;
  product: string;
  variant?: string;
  price: number;
  currency?: string;
  barcode?: string;
  category?: string[];
  channelPrices: Record<string, number>;
  stock: { locationId: string; count: number }[];
}

type Problem = Omit<CatalogRowError, 'line'>;

const MAX_STOCK = 100_000_000;

/** A whole, non-negative number written without separators. */
function parseWhole(field: string, value: string, max: number, example: string): number | Problem {
  if (/^-\s*\d/.test(value)) return { field, message: `must not be negative (got ${value})` };
  if (!/^\d+$/.test(value)) return { field, message: `must be a whole number without separators, e.g. ${example} (got "${value}")` };
  const n = Number(value);
  if (n > max) return { field, message: `must be at most ${max} (got ${value})` };
  return n;
}

function checkText(field: string, value: string, max: number, opts: { isSingleLine?: boolean } = {}): Problem | undefined {
  if (value.length > max) return { field, message: `longer than ${max} characters` };
  if (opts.isSingleLine && /[\r\n]/.test(value)) return { field, message: 'must not contain a line break' };
  return undefined;
}

/** Rows the same product (handle, else title) whatever the case or Unicode form. */
const normalise = (s: string) => s.normalize('NFC').toLowerCase();

/** One CSV record → a row to import, or what is wrong with it. */
function parseRow(
  cells: string[],
  columns: CatalogColumn[],
  ctx: { line: number; channels: Set<string>; locations: Set<string> },
): { row?: Row; problems: Problem[] } {
  const problems: Problem[] = [];
  const fields = new Map<Field, string>();
  const channelPrices: Record<string, number> = {};
  const stock: Row['stock'] = [];
  cells.forEach((value, i) => {
    if (value === '') return;
    const column = columns[i];
    if (column === undefined) {
      problems.push({ field: `column ${i + 1}`, message: `a value under no header ("${value.slice(0, 40)}")` });
      return;
    }
    switch (column.kind) {
      case 'blank':
        return;
      case 'field':
        fields.set(column.field, value);
        return;
      case 'channelPrice': {
        const field = `price:${column.channelId}`;
        const price = parseWhole(field, value, Number.MAX_SAFE_INTEGER, '150000');
        if (!ctx.channels.has(column.channelId)) problems.push({ field, message: `unknown channel ${column.channelId}` });
        else if (typeof price === 'number') channelPrices[column.channelId] = price;
        else problems.push(price);
        return;
      }
      case 'stock': {
        const field = `stock:${column.locationId}`;
        const count = parseWhole(field, value, MAX_STOCK, '25');
        if (!ctx.locations.has(column.locationId)) problems.push({ field, message: `unknown location ${column.locationId}` });
        else if (typeof count === 'number') stock.push({ locationId: column.locationId, count });
        else problems.push(count);
        return;
      }
    }
  });

  const sku = fields.get('sku');
  if (sku === undefined) problems.push({ field: 'sku', message: 'required' });
  else {
    const p = checkText('sku', sku, 100, { isSingleLine: true });
    if (p) problems.push(p);
  }
  const product = fields.get('product');
  if (product === undefined) problems.push({ field: 'product', message: 'required' });
  else {
    const p = checkText('product', product, 300);
    if (p) problems.push(p);
  }
  const priceText = fields.get('price');
  let price: number | undefined;
  if (priceText === undefined) problems.push({ field: 'price', message: 'required' });
  else {
    const parsed = parseWhole('price', priceText, Number.MAX_SAFE_INTEGER, '150000');
    if (typeof parsed === 'number') price = parsed;
    else problems.push(parsed);
  }
  const variant = fields.get('variant');
  const barcode = fields.get('barcode');
  const handle = fields.get('handle');
  for (const p of [
    variant !== undefined ? checkText('variant', variant, 200) : undefined,
    barcode !== undefined ? checkText('barcode', barcode, 100, { isSingleLine: true }) : undefined,
    handle !== undefined ? checkText('handle', handle, 300) : undefined,
  ]) {
    if (p) problems.push(p);
  }
  let currency = fields.get('currency');
  if (currency !== undefined) {
    if (/^[A-Za-z]{3}$/.test(currency)) currency = currency.toUpperCase();
    else problems.push({ field: 'currency', message: `must be a 3-letter ISO code such as VND (got "${currency}")` });
  }
  const categoryText = fields.get('category');
  let category: string[] | undefined;
  if (categoryText !== undefined) {
    category = categoryText.split('>').map((s) => s.trim());
    if (category.some((s) => s === '')) problems.push({ field: 'category', message: `a name in "${categoryText}" is empty (write "Parent > Child")` });
    else if (category.some((s) => s.length > 200)) problems.push({ field: 'category', message: 'a category name is longer than 200 characters' });
  }

  if (problems.length > 0 || sku === undefined || product === undefined || price === undefined) return { problems };
  return {
    problems,
    row: {
      line: ctx.line,
      sku,
      productKey: handle !== undefined ? `handle\u0000${normalise(handle)}` : `title\u0000${normalise(product)}`,
      product,
      price,
      channelPrices,
      stock,
      ...(variant !== undefined ? { variant } : {}),
      ...(currency !== undefined ? { currency } : {}),
      ...(barcode !== undefined ? { barcode } : {}),
      ...(category !== undefined ? { category } : {}),
    },
  };
}

/** Category paths ("Thời trang > Áo") → the id of the last one, creating those that are missing. */
class CategoryPaths {
  private readonly ids = new Map<string, string>();
  created = 0;

  private constructor(
    private readonly ex: Executor,
    private readonly workspaceId: string,
  ) {}

  private static key(parentId: string | undefined, name: string): string {
    return `${parentId ?? ''}\u0000${normalise(name)}`;
  }

  static async load(ex: Executor, workspaceId: string): Promise<CategoryPaths> {
    const paths = new CategoryPaths(ex, workspaceId);
    for (const c of await listCategories(ex, workspaceId)) {
      const key = CategoryPaths.key(c.parentId ?? undefined, c.name);
      if (!paths.ids.has(key)) paths.ids.set(key, c.id);
    }
    return paths;
  }

  async resolve(names: string[]): Promise<string> {
    let parentId: string | undefined;
    for (const name of names) {
      const key = CategoryPaths.key(parentId, name);
      let id = this.ids.get(key);
      if (id === undefined) {
        id = (await createCategory(this.ex, this.workspaceId, { name, ...(parentId !== undefined ? { parentId } : {}) })).id;
        this.ids.set(key, id);
        this.created++;
      }
      parentId = id;
    }
    return parentId!;
  }
}

/**
 * The file line a record starts on, as a text editor shows it. The parser reports the line it
 * ends on; a quoted cell may span several lines.
 */
function startLine(cells: string[], endLine: number): number {
  let breaks = 0;
  for (const value of cells) breaks += value.match(/\r\n|\r|\n/g)?.length ?? 0;
  return endLine - breaks;
}

/**
 * The error in `err`'s cause chain that the data caused — an AppError, or a database error of
 * SQLSTATE class 22 (data exception) or 23 (integrity constraint) — rather than, say, the
 * database being unreachable. Drizzle wraps driver errors with the whole statement.
 */
function dataError(err: unknown): AppError | Error | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof AppError) return e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return e;
  }
  return undefined;
}

interface Group {
  rows: Row[];
  input: UpsertProductInput;
}

interface GroupResult {
  productId: string | undefined;
  /** Per row of the group, in order. */
  outcomes: UpsertVariantOutcome[];
  /** Lines whose stock the batch changed. */
  stockChanged: Set<number>;
  stockLevelsSet: number;
  stockErrors: CatalogRowError[];
}

function outcomeField(o: Extract<UpsertVariantOutcome, { status: 'failed' }>): string {
  switch (o.field) {
    case 'channelPrices':
      return `price:${o.channelId ?? ''}`;
    case 'categoryIds':
      return 'category';
    case 'barcode':
    case 'currency':
      return o.field;
  }
}

export async function importCatalogCsv(opts: {
  db: Database;
  workspaceId: string;
  file: string;
  batchSize?: number;
  /** Who the stock adjustments name (default `system`). */
  actor?: string;
  onProgress?: (p: CatalogImportProgress) => void;
}): Promise<CatalogImportResult> {
  const started = performance.now();
  const { db, workspaceId } = opts;
  const batchSize = opts.batchSize ?? 1000;
  const actor = opts.actor ?? 'system';
  const fileName = path.basename(opts.file);
  await getWorkspace(db.orm, workspaceId);
  const channels = new Set((await listChannels(db.orm, workspaceId, { includeArchived: true })).map((c) => c.id));
  const locations = new Set((await listLocations(db.orm, workspaceId)).map((l) => l.id));
  const categories = await CategoryPaths.load(db.orm, workspaceId);

  const progress: CatalogImportProgress = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  const errors: CatalogRowError[] = [];
  let productsCreated = 0;
  let stockLevelsSet = 0;
  /** Per product key: the title and category of its first row, and its product once written. */
  const products = new Map<string, { title: string; category?: string[]; productId?: string }>();
  /** SKUs and barcodes of the rows so far, with their lines. */
  const skuLines = new Map<string, number>();
  const barcodeLines = new Map<string, number>();

  const fail = (rows: Row[], field: string, message: string) => {
    for (const r of rows) errors.push({ line: r.line, field, message });
    progress.failed += rows.length;
  };

  /** Write some products' rows and their stock in the caller's transaction. */
  const writeGroups = async (tx: Executor, groups: Group[]): Promise<{ results: GroupResult[]; productsCreated: number }> => {
    const written = await upsertProductsBySku(tx, workspaceId, groups.map((g) => g.input));
    const results: GroupResult[] = groups.map((_, i) => ({
      productId: written.productIds[i],
      outcomes: written.outcomes[i]!,
      stockChanged: new Set<number>(),
      stockLevelsSet: 0,
      stockErrors: [],
    }));
    const done = { results, productsCreated: written.productsCreated };
    const wanted = groups.flatMap((g, i) =>
      g.rows.flatMap((row, j) => {
        const o = results[i]!.outcomes[j]!;
        return o.status === 'failed' ? [] : row.stock.map((s) => ({ ...s, row, variantId: o.variantId, isNew: o.status === 'created', result: results[i]! }));
      }),
    );
    // A variant created in this transaction has no stock anywhere else: its count is a receipt
    // (restock: two statements a level). An existing one gets a stock take that applies only
    // while on hand is still what was read (adjustStock with count).
    const fresh = wanted.filter((w) => w.isNew && w.count > 0);
    if (fresh.length > 0) {
      const lines = fresh.map((w) => ({ variantId: w.variantId, locationId: w.locationId, quantity: w.count }));
      await restock(tx, { workspaceId, lines, reason: 'import', actor, ref: fileName });
      for (const w of fresh) w.result.stockLevelsSet++;
    }
    const takes = wanted.filter((w) => !w.isNew);
    if (takes.length === 0) return done;
    const levels = new Map(
      (await getLevels(tx, workspaceId, [...new Set(takes.map((w) => w.variantId))])).map((l) => [`${l.variantId}\u0000${l.locationId}`, l]),
    );
    for (const w of takes) {
      const level = levels.get(`${w.variantId}\u0000${w.locationId}`);
      // Nothing to write when on hand already is the count (no level row means 0 on hand).
      if ((level?.onHand ?? 0) === w.count) continue;
      try {
        await adjustStock(tx, {
          workspaceId,
          variantId: w.variantId,
          sku: w.row.sku,
          locationId: w.locationId,
          count: w.count,
          reason: 'import',
          note: `catalog import ${fileName}, line ${w.row.line}`,
          actor,
        });
        w.result.stockLevelsSet++;
        w.result.stockChanged.add(w.row.line);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'insufficient_stock')) throw err;
        w.result.stockErrors.push({ line: w.row.line, field: `stock:${w.locationId}`, message: err.message });
      }
    }
    return done;
  };

  const flush = async (batch: Row[]) => {
    const byKey = new Map<string, Row[]>();
    for (const row of batch) {
      const list = byKey.get(row.productKey) ?? [];
      list.push(row);
      byKey.set(row.productKey, list);
    }

    // Counts below what is reserved for open checkouts cannot be set: refuse those rows before writing.
    const refused = new Set<Row>();
    const withStock = batch.filter((r) => r.stock.length > 0);
    if (withStock.length > 0) {
      const known = await findVariantsBySku(db.orm, workspaceId, withStock.map((r) => r.sku));
      const ids = [...known.values()].map((v) => v.id);
      const reserved = new Map((await getLevels(db.orm, workspaceId, ids)).map((l) => [`${l.variantId}\u0000${l.locationId}`, l.reserved]));
      for (const row of withStock) {
        const variantId = known.get(row.sku)?.id;
        for (const s of row.stock) {
          const held = variantId !== undefined ? (reserved.get(`${variantId}\u0000${s.locationId}`) ?? 0) : 0;
          if (s.count < held) {
            errors.push({ line: row.line, field: `stock:${s.locationId}`, message: `cannot be set to ${s.count}: ${held} reserved for open checkouts` });
            refused.add(row);
          }
        }
      }
      progress.failed += refused.size;
    }

    // Categories are created outside the batch's transaction: they stay if it fails, and are found again.
    const groups: { key: string; group: Group }[] = [];
    for (const [key, all] of byKey) {
      const rows = all.filter((r) => !refused.has(r));
      if (rows.length === 0) continue;
      const info = products.get(key)!;
      let categoryId: string | undefined;
      if (info.category) {
        try {
          categoryId = await categories.resolve(info.category);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          fail(rows, 'category', err.message);
          continue;
        }
      }
      groups.push({
        key,
        group: {
          rows,
          input: {
            title: info.title,
            ...(info.productId !== undefined ? { productId: info.productId } : {}),
            ...(categoryId !== undefined ? { categoryIds: [categoryId] } : {}),
            variants: rows.map((r) => ({
              sku: r.sku,
              price: r.price,
              ...(r.variant !== undefined ? { title: r.variant } : {}),
              ...(r.barcode !== undefined ? { barcode: r.barcode } : {}),
              ...(r.currency !== undefined ? { currency: r.currency } : {}),
              ...(Object.keys(r.channelPrices).length > 0 ? { channelPrices: r.channelPrices } : {}),
            })),
          },
        },
      });
    }
    if (groups.length === 0) return;

    // One transaction for the batch; when the data breaks it (e.g. a SKU another process just
    // took), each product again on its own, so only its rows fail.
    let results: (GroupResult | Error)[];
    try {
      const written = await db.orm.transaction((tx) => writeGroups(tx, groups.map((g) => g.group)));
      results = written.results;
      productsCreated += written.productsCreated;
    } catch (err) {
      if (!dataError(err)) throw err;
      results = [];
      for (const { group } of groups) {
        try {
          const written = await db.orm.transaction((tx) => writeGroups(tx, [group]));
          results.push(written.results[0]!);
          productsCreated += written.productsCreated;
        } catch (e) {
          const cause = dataError(e);
          if (!cause) throw e;
          results.push(cause);
        }
      }
    }

    groups.forEach(({ key, group }, i) => {
      const result = results[i]!;
      if (result instanceof Error) {
        const details = result instanceof AppError ? result.details : undefined;
        fail(group.rows, typeof details?.field === 'string' ? details.field : 'row', result.message);
        return;
      }
      const info = products.get(key)!;
      info.productId ??= result.productId;
      stockLevelsSet += result.stockLevelsSet;
      const stockFailed = new Set(result.stockErrors.map((e) => e.line));
      errors.push(...result.stockErrors);
      group.rows.forEach((row, j) => {
        const o = result.outcomes[j]!;
        if (o.status === 'failed') {
          errors.push({ line: row.line, field: outcomeField(o), message: o.message });
          progress.failed++;
        } else if (stockFailed.has(row.line)) progress.failed++;
        else if (o.status === 'created') progress.created++;
        else if (o.status === 'updated' || result.stockChanged.has(row.line)) progress.updated++;
        else progress.unchanged++;
      });
    });
  };

  const parser = fs.createReadStream(opts.file).pipe(
    // Rows of empty cells (`,,,` left by spreadsheets) are blank lines, not products.
    parse({ bom: true, skip_empty_lines: true, skip_records_with_empty_values: true, trim: true, relax_column_count: true, info: true }),
  );
  let columns: CatalogColumn[] | undefined;
  let batch: Row[] = [];
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (columns === undefined) {
      columns = resolveCatalogColumns(record);
      continue;
    }
    progress.rows++;
    const line = startLine(record, info.lines);
    const { row, problems } = parseRow(record, columns, { line, channels, locations });
    if (row) {
      const skuLine = skuLines.get(row.sku);
      if (skuLine !== undefined) problems.push({ field: 'sku', message: `"${row.sku}" is already on line ${skuLine}` });
      const barcodeLine = row.barcode !== undefined ? barcodeLines.get(row.barcode) : undefined;
      if (barcodeLine !== undefined) problems.push({ field: 'barcode', message: `"${row.barcode}" is already on line ${barcodeLine}` });
    }
    if (!row || problems.length > 0) {
      for (const p of problems) errors.push({ line, ...p });
      progress.failed++;
      continue;
    }
    skuLines.set(row.sku, line);
    if (row.barcode !== undefined) barcodeLines.set(row.barcode, line);
    const product = products.get(row.productKey);
    if (!product) products.set(row.productKey, { title: row.product, ...(row.category ? { category: row.category } : {}) });
    else if (!product.category && row.category) product.category = row.category;
    batch.push(row);
    if (batch.length >= batchSize) {
      await flush(batch);
      batch = [];
      opts.onProgress?.({ ...progress });
    }
  }
  if (columns === undefined) throw new Error(`${opts.file} is empty: the first row must name the columns (${COLUMN_LIST})`);
  if (batch.length > 0) await flush(batch);
  opts.onProgress?.({ ...progress });
  // Rows refused while reading are reported at once, the others when their batch commits.
  errors.sort((a, b) => a.line - b.line);
  return {
    ...progress,
    productsCreated,
    categoriesCreated: categories.created,
    stockLevelsSet,
    errors,
    seconds: (performance.now() - started) / 1000,
  };
}
