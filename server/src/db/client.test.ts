import crypto from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../test/helpers';
import { inlineSql, rows, type Database } from './client';

let db: Database;
let dataDir: string;
// One table per run: on PostgreSQL every test file shares a database.
const table = sql.raw(`batch_test_${crypto.randomBytes(6).toString('hex')}`);

beforeAll(async () => {
  ({ db, dataDir } = await openTestDb());
  await db.orm.execute(sql`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
});
afterAll(async () => {
  await db.orm.execute(sql`DROP TABLE IF EXISTS ${table}`);
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The first row of the first statement's result. */
const firstOf = (result: Record<string, unknown>[][]) => result[0]?.[0];

const notes = async () => (await rows<{ id: number; note: string }>(db.orm, sql`SELECT id, note FROM ${table} ORDER BY id`));

describe('inlineSql', () => {
  const awkward = [
    "it's",
    "''; DROP TABLE x; --",
    'back\\slash \\\' and \\\\ two',
    'Nguyễn Văn An — 🛒',
    'line\nbreak\ttab',
    '$1 $2 looks like a parameter',
    '',
  ];

  describe.each(awkward)('when a string parameter is %j', (value) => {
    it('comes back from the database unchanged', async () => {
      const row = firstOf(await db.batchTransaction((tx) => tx.query(sql`SELECT ${value}::text AS v, length(${value}::text) AS n`)));
      expect(row).toEqual({ v: value, n: [...value].length });
    });
  });

  it('writes numbers (negative ones too), booleans, null and JSON objects as literals', async () => {
    const doc = { name: "O'Brien", path: 'C:\\shop', n: [1, 2] };
    const row = firstOf(await db.batchTransaction((tx) =>
      tx.query(sql`SELECT 10 - ${-5} AS diff, ${1.5}::float8 AS f, ${true} AS t, ${null}::text AS nothing, ${JSON.stringify(doc)}::jsonb AS doc`),
    ));
    expect(row).toMatchObject({ diff: 15, f: 1.5, t: true, nothing: null, doc });
  });

  it('refuses values that have no literal', () => {
    expect(() => inlineSql(sql`SELECT ${Number.NaN}`)).toThrow(/NaN/);
  });
});

describe('batchTransaction', () => {
  it('returns the rows of each queried statement in order, and commits deferred writes', async () => {
    const result = await db.batchTransaction(async (tx) => {
      tx.defer(sql`INSERT INTO ${table} VALUES (1, 'deferred')`, null, undefined);
      const [a, b] = await tx.query(sql`SELECT count(*)::int AS n FROM ${table}`, sql`SELECT 'x' AS v UNION ALL SELECT 'y'`);
      tx.defer(sql`INSERT INTO ${table} VALUES (2, 'after the query')`);
      return { a, b };
    });
    // The deferred insert ran before the query, in the same transaction.
    expect(result.a).toEqual([{ n: 1 }]);
    expect(result.b).toEqual([{ v: 'x' }, { v: 'y' }]);
    expect(await notes()).toEqual([
      { id: 1, note: 'deferred' },
      { id: 2, note: 'after the query' },
    ]);
  });

  it('commit() sends the last statements with the commit and returns their rows', async () => {
    const [inserted] = await db.batchTransaction(async (tx) => {
      tx.defer(sql`DELETE FROM ${table}`);
      return tx.commit(sql`INSERT INTO ${table} VALUES (3, 'three') RETURNING id`);
    });
    expect(inserted).toEqual([{ id: 3 }]);
    expect(await notes()).toEqual([{ id: 3, note: 'three' }]);
  });

  describe('when a statement fails', () => {
    it('rolls everything back, rejects, and the database stays usable', async () => {
      await expect(
        db.batchTransaction(async (tx) => {
          tx.defer(sql`INSERT INTO ${table} VALUES (4, 'rolled back')`);
          await tx.query(sql`SELECT 1`);
          tx.defer(sql`INSERT INTO ${table} VALUES (3, 'duplicate key')`);
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await notes()).toEqual([{ id: 3, note: 'three' }]);
      expect(firstOf(await db.batchTransaction((tx) => tx.query(sql`SELECT 42 AS n`)))).toEqual({ n: 42 });
    });
  });

  describe('when the callback throws', () => {
    it('rolls back what was already sent', async () => {
      await expect(
        db.batchTransaction(async (tx) => {
          await tx.query(sql`INSERT INTO ${table} VALUES (5, 'sent, then abandoned')`);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await notes()).toEqual([{ id: 3, note: 'three' }]);
    });
  });

  it('refuses statements after commit()', async () => {
    await expect(
      db.batchTransaction(async (tx) => {
        await tx.commit(sql`SELECT 1`);
        await tx.query(sql`SELECT 2`);
      }),
    ).rejects.toThrow(/already committed/);
  });
});
