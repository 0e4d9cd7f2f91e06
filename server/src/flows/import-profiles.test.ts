import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, type TestServer, type TestWorkspace } from '../../test/helpers';
import type { ProfileView as Profile } from '../modules/profiles';
import { importProfilesCsv, parseMapping, type ColumnTarget, type ImportProgress } from './import-profiles';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-import-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const log = pino({ level: 'silent' });
let fileCount = 0;

/** Write a CSV (lines joined with CRLF, like spreadsheet exports) and return its path. */
function csv(lines: string[], opts: { bom?: boolean } = {}): string {
  const file = path.join(dir, `import-${++fileCount}.csv`);
  fs.writeFileSync(file, (opts.bom ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n');
  return file;
}

function importFile(
  ws: TestWorkspace,
  file: string,
  opts: { mapping?: Map<string, ColumnTarget>; batchSize?: number; onProgress?: (p: ImportProgress) => void } = {},
) {
  return importProfilesCsv({ db: server.db, log, workspaceId: ws.workspaceId, file, channel: 'pos', ...opts });
}

const lookupRes = (ws: TestWorkspace, type: string, value: string) =>
  server.app.inject({
    method: 'GET',
    url: `/api/v1/profiles/lookup?type=${encodeURIComponent(type)}&value=${encodeURIComponent(value)}`,
    headers: ws.admin,
  });

async function lookup(ws: TestWorkspace, type: string, value: string): Promise<Profile> {
  const res = await lookupRes(ws, type, value);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Profile;
}

async function profileCount(ws: TestWorkspace): Promise<number> {
  const res = await server.app.inject({ method: 'GET', url: '/api/v1/profiles?limit=200', headers: ws.admin });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { data: Profile[] }).data.length;
}

const idsOf = (p: Profile) => p.identifiers.map((i) => `${i.type}:${i.value}`).sort();

describe('importProfilesCsv', () => {
  describe('when the headers are the usual Vietnamese ones', () => {
    it('recognises them without a mapping and creates one profile per customer', async () => {
      const ws = await createTestWorkspace(server);
      const file = csv([
        'Mã KH,Họ tên,Email,Số điện thoại',
        'KH001,Nguyễn Văn An,an@example.vn,0912 345 678',
        'KH002,Trần Thị Bình,binh@example.vn,0987654321',
      ]);

      const result = await importFile(ws, file);

      expect(result).toMatchObject({ rows: 2, imported: 2, unchanged: 0, failed: 0, errors: [] });
      const an = await lookup(ws, 'user_id', 'KH001');
      expect(an.traits).toMatchObject({ name: 'Nguyễn Văn An' });
      expect(idsOf(an)).toEqual(expect.arrayContaining(['user_id:KH001', 'email:an@example.vn', 'phone:+84912345678']));
      expect((await lookup(ws, 'phone', '0987654321')).id).toBe((await lookup(ws, 'user_id', 'KH002')).id);
      expect((await lookup(ws, 'email', 'binh@example.vn')).traits).toMatchObject({ name: 'Trần Thị Bình' });
      expect(an.channels).toHaveProperty('pos');
      expect(await profileCount(ws)).toBe(2);
    });
  });

  describe('when a mapping is given', () => {
    it('stores mapped identifiers, mapped traits, skips skipped columns and snake-cases the rest', async () => {
      const ws = await createTestWorkspace(server);
      const file = csv([
        'Thẻ,Hạng,Ghi chú,Email,Ngày Sinh',
        'TV-1001,Vàng,khách khó tính,lan@example.vn,1990-05-01',
      ]);

      const result = await importFile(ws, file, { mapping: parseMapping('Thẻ=id:loyalty_card,Hạng=trait:tier,Ghi chú=skip') });

      expect(result).toMatchObject({ rows: 1, imported: 1, failed: 0 });
      const p = await lookup(ws, 'loyalty_card', 'TV-1001');
      expect(idsOf(p)).toEqual(expect.arrayContaining(['loyalty_card:TV-1001', 'email:lan@example.vn']));
      expect(p.traits).toMatchObject({ tier: 'Vàng', ngay_sinh: '1990-05-01' });
      expect(JSON.stringify(p.traits)).not.toContain('khó tính');
      expect(p.traits).not.toHaveProperty('ghi_chu');
    });
  });

  describe('when a web visitor already identified with the same email', () => {
    it('merges the imported customer into that visitor', async () => {
      const ws = await createTestWorkspace(server);
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/identify',
        headers: ws.basic,
        payload: { anonymousId: 'visitor-1', traits: { email: 'Chi@Example.vn', plan: 'web' } },
      });
      expect(res.statusCode, res.body).toBe(200);
      const visitor = await lookup(ws, 'anonymous_id', 'visitor-1');

      const file = csv(['Mã KH,Họ tên,Email', 'KH777,Lê Thu Chi,chi@example.vn']);
      expect(await importFile(ws, file)).toMatchObject({ imported: 1, failed: 0 });

      const customer = await lookup(ws, 'user_id', 'KH777');
      expect((await lookup(ws, 'anonymous_id', 'visitor-1')).id).toBe(customer.id);
      expect(customer.id).toBe((await lookup(ws, 'email', 'chi@example.vn')).id);
      expect([customer.id, ...customer.mergedProfileIds]).toContain(visitor.id);
      expect(customer.traits).toMatchObject({ name: 'Lê Thu Chi', plan: 'web' });
      expect(Object.keys(customer.channels).sort()).toEqual(['pos', 'web']);
      expect(await profileCount(ws)).toBe(1);
    });
  });

  describe('when some rows have no identifier', () => {
    it('reports them by their line in the file and imports the others', async () => {
      const ws = await createTestWorkspace(server);
      const file = csv([
        'Mã KH,Họ tên,Email', // line 1
        'KH1,Có mã,', // 2
        ',Không có gì,', // 3
        '', // 4: blank
        ',"Hai dòng\ntên",only@example.vn', // 5-6: a line break inside a quoted cell
        ',,', // 7: empty cells only, a blank row
        ',Cũng không,', // 8
      ]);

      const result = await importFile(ws, file);

      expect(result).toMatchObject({ rows: 4, imported: 2, unchanged: 0, failed: 2 });
      expect(result.errors.map((e) => e.row)).toEqual([3, 8]);
      expect(result.errors[0]!.message).toMatch(/no identifier/);
      expect((await lookup(ws, 'email', 'only@example.vn')).traits).toMatchObject({ name: 'Hai dòng\ntên' });
      expect(await profileCount(ws)).toBe(2);
    });
  });

  describe('when ingest refuses a row', () => {
    it('reports it with the others, in file order', async () => {
      const ws = await createTestWorkspace(server);
      const file = csv(['Mã KH,Ghi chú', `KH-BIG,${'x'.repeat(40 * 1024)}`, ',không mã', 'KH-OK,']);

      const result = await importFile(ws, file);

      expect(result).toMatchObject({ rows: 3, imported: 1, failed: 2 });
      expect(result.errors.map((e) => e.row)).toEqual([2, 3]);
      expect(result.errors[0]!.message).toMatch(/limit is 32 KB/);
      expect((await lookupRes(ws, 'user_id', 'KH-BIG')).statusCode).toBe(404);
    });
  });

  describe('when a field is quoted', () => {
    it('keeps the comma inside it and does not shift the other columns', async () => {
      const ws = await createTestWorkspace(server);
      const file = csv(['Mã KH,Địa chỉ,Email', 'KH9,"12 Lý Thường Kiệt, Quận 10, TP.HCM",quoted@example.vn']);

      expect(await importFile(ws, file)).toMatchObject({ imported: 1, failed: 0 });

      const p = await lookup(ws, 'user_id', 'KH9');
      expect(p.traits).toMatchObject({ dia_chi: '12 Lý Thường Kiệt, Quận 10, TP.HCM' });
      expect(idsOf(p)).toContain('email:quoted@example.vn');
    });
  });

  describe('when the file starts with a byte order mark', () => {
    it('still recognises the first header', async () => {
      const ws = await createTestWorkspace(server);
      const file = csv(['Mã KH,Họ tên', 'KH-BOM,Phạm Bom'], { bom: true });

      expect(await importFile(ws, file)).toMatchObject({ imported: 1, failed: 0 });

      const p = await lookup(ws, 'user_id', 'KH-BOM');
      expect(p.traits).toMatchObject({ name: 'Phạm Bom' });
      expect(Object.keys(p.traits).some((k) => k.includes('\uFEFF'))).toBe(false);
    });
  });

  describe('when the same file is imported twice', () => {
    it('stores nothing new the second time', async () => {
      const ws = await createTestWorkspace(server);
      const file = csv([
        'Mã KH,Họ tên,Email,Số điện thoại',
        'KH1,Một,mot@example.vn,',
        ',Hai,hai@example.vn,',
        ',Ba,,0901000003',
      ]);

      const first = await importFile(ws, file);
      expect(first).toMatchObject({ rows: 3, imported: 3, unchanged: 0, failed: 0 });
      const count = await profileCount(ws);
      expect(count).toBe(3);

      const second = await importFile(ws, file);
      expect(second).toMatchObject({ rows: 3, imported: 0, unchanged: 3, failed: 0 });
      expect(second.sourceId).toBe(first.sourceId);
      expect(await profileCount(ws)).toBe(count);
      expect((await lookup(ws, 'email', 'hai@example.vn')).eventCount).toBe(1);
    });
  });

  describe('when a row changed since the last import', () => {
    it('imports only that row and updates the trait on the same profile', async () => {
      const ws = await createTestWorkspace(server);
      const before = await importFile(ws, csv(['Mã KH,Hạng', 'KH1,Bạc', 'KH2,Vàng']), { mapping: parseMapping('Hạng=trait:tier') });
      expect(before).toMatchObject({ imported: 2 });
      const id = (await lookup(ws, 'user_id', 'KH1')).id;

      const after = await importFile(ws, csv(['Mã KH,Hạng', 'KH1,Kim cương', 'KH2,Vàng']), { mapping: parseMapping('Hạng=trait:tier') });

      expect(after).toMatchObject({ rows: 2, imported: 1, unchanged: 1, failed: 0 });
      const p = await lookup(ws, 'user_id', 'KH1');
      expect(p.id).toBe(id);
      expect(p.traits).toMatchObject({ tier: 'Kim cương' });
      expect((await lookup(ws, 'user_id', 'KH2')).traits).toMatchObject({ tier: 'Vàng' });
      expect(await profileCount(ws)).toBe(2);
    });
  });

  describe('when progress is reported', () => {
    it('calls back after each batch with growing counts ending at the totals', async () => {
      const ws = await createTestWorkspace(server);
      const lines = ['Mã KH,Họ tên'];
      for (let i = 1; i <= 9; i++) lines.push(`P${i},Khách ${i}`);
      lines.push(',không mã');
      const calls: ImportProgress[] = [];

      const result = await importFile(ws, csv(lines), { batchSize: 2, onProgress: (p) => calls.push(p) });

      expect(result).toMatchObject({ rows: 10, imported: 9, failed: 1 });
      expect(calls.length).toBeGreaterThanOrEqual(5);
      const done = calls.map((c) => c.imported + c.unchanged + c.failed);
      for (let i = 1; i < done.length; i++) expect(done[i]!).toBeGreaterThan(done[i - 1]!);
      expect(calls.at(-1)).toMatchObject({ rows: 10, imported: 9, unchanged: 0, failed: 1 });
      expect(await profileCount(ws)).toBe(9);
    });
  });

  describe('when the channel is unknown', () => {
    it('refuses before reading the file', async () => {
      const ws = await createTestWorkspace(server);
      await expect(
        importProfilesCsv({ db: server.db, log, workspaceId: ws.workspaceId, file: csv(['Email', 'x@example.vn']), channel: 'fax' as 'pos' }),
      ).rejects.toThrow(/unknown channel "fax"/);
    });
  });
});

describe('parseMapping', () => {
  describe('when the spec is valid', () => {
    it('maps identifiers, ids, traits and skips, trimming spaces around names', () => {
      const m = parseMapping(' Số ĐT = phone , Mã KH=user_id,Thẻ=id:loyalty_card,Hạng=trait:tier,Ghi chú=skip');
      expect([...m]).toEqual([
        ['Số ĐT', { kind: 'identifier', type: 'phone' }],
        ['Mã KH', { kind: 'identifier', type: 'user_id' }],
        ['Thẻ', { kind: 'identifier', type: 'loyalty_card' }],
        ['Hạng', { kind: 'trait', key: 'tier' }],
        ['Ghi chú', { kind: 'skip' }],
      ]);
    });

    it('returns an empty mapping when there is no spec', () => {
      expect(parseMapping(undefined).size).toBe(0);
      expect(parseMapping('').size).toBe(0);
    });
  });

  describe('when a target is bad', () => {
    it.each([
      ['Thẻ=loyalty', /unknown target "loyalty" for column "Thẻ"/],
      ['Thẻ=id:', /unknown target "id:"/],
      ['Thẻ=id:Loyalty Card', /unknown target "id:Loyalty Card"/],
      ['Hạng=trait:', /unknown target "trait:"/],
      ['Hạng', /"Hạng" is not column=target/],
      ['=email', /"=email" is not column=target/],
    ])('rejects %s', (spec, message) => {
      expect(() => parseMapping(spec)).toThrow(message);
    });
  });
});
