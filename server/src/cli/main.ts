/**
 * `npm run omni -- <command>`: administration without the HTTP API. Works on the same database
 * as the server (DATABASE_URL or DATA_DIR). With the embedded database, stop the server first:
 * PGlite allows one process at a time.
 */
import { Command, Option } from 'commander';
import pino from 'pino';
import { loadConfig, ConfigError } from '../config';
import { openDb, type Database } from '../db/client';
import { DataDirLockedError } from '../db/lockfile';
import { runMigrations } from '../db/migrate';
import { importCatalogCsv, type CatalogImportProgress } from '../flows/import-catalog';
import { importProfilesCsv, parseMapping } from '../flows/import-profiles';
import { CHANNEL_TYPES, createApiToken, createSource, createWorkspace, getWorkspace, SOURCE_TRUST, type ChannelType, type SourceTrust } from '../modules/workspaces';

async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
  try {
    await runMigrations(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

const print = (line: string) => process.stdout.write(line + '\n');

const program = new Command('omni').description('Omni administration').showHelpAfterError();

const workspace = program.command('workspace').description('workspaces (tenants)');
workspace
  .command('create')
  .description('create a workspace with an admin token and a first source')
  .requiredOption('--name <name>', 'workspace name')
  .option('--country <CC>', 'default country for phone numbers', 'VN')
  .option('--time-zone <tz>', 'IANA time zone', 'Asia/Ho_Chi_Minh')
  .option('--currency <ISO>', 'currency', 'VND')
  .action(async (o: { name: string; country: string; timeZone: string; currency: string }) => {
    await withDb(async (db) => {
      const ws = await createWorkspace(db.orm, { name: o.name, defaultCountry: o.country.toUpperCase(), timeZone: o.timeZone, currency: o.currency.toUpperCase() });
      const token = await createApiToken(db.orm, { workspaceId: ws.id, name: 'Created by CLI' });
      const source = await createSource(db.orm, { workspaceId: ws.id, name: 'Default source', channel: 'server' });
      print(`workspace:   ${ws.id}`);
      print(`admin token: ${token.secret}`);
      print(`write key:   ${source.writeKey}  (source ${source.source.id}, channel server)`);
      print('Secrets are shown once and stored only as hashes.');
    });
  });

const channelOption = new Option('--channel <type>', 'channel type').choices([...CHANNEL_TYPES]);

program
  .command('source')
  .description('sources (where events come from)')
  .command('create')
  .description('create a source and print its write key')
  .requiredOption('--workspace <id>', 'workspace id')
  .requiredOption('--name <name>', 'source name, e.g. "Website" or "Cửa hàng Quận 1"')
  .addOption(channelOption.makeOptionMandatory())
  .option('--rate-limit <n>', 'events per second before 429', (v) => Number.parseInt(v, 10))
  .addOption(
    new Option('--trust <level>', 'client: a browser or app key (traits are self-reported); server: a backend, POS or import you control (traits are trusted)')
      .choices([...SOURCE_TRUST])
      .default('client'),
  )
  .action(async (o: { workspace: string; name: string; channel: ChannelType; rateLimit?: number; trust: SourceTrust }) => {
    await withDb(async (db) => {
      await getWorkspace(db.orm, o.workspace);
      const s = await createSource(db.orm, { workspaceId: o.workspace, name: o.name, channel: o.channel, rateLimit: o.rateLimit, trust: o.trust });
      print(`source:    ${s.source.id} (${s.source.channel}, ${s.source.trust})`);
      print(`write key: ${s.writeKey}`);
    });
  });

program
  .command('token')
  .description('admin API tokens')
  .command('create')
  .description('create an admin API token and print it')
  .requiredOption('--workspace <id>', 'workspace id')
  .option('--name <name>', 'what the token is for', 'CLI token')
  .action(async (o: { workspace: string; name: string }) => {
    await withDb(async (db) => {
      await getWorkspace(db.orm, o.workspace);
      const t = await createApiToken(db.orm, { workspaceId: o.workspace, name: o.name });
      print(`token: ${t.secret}`);
    });
  });

const importData = program.command('import').description('import data');

importData
  .command('profiles <file>')
  .description('import customer profiles from a CSV file (idempotent: re-running changes nothing)')
  .requiredOption('--workspace <id>', 'workspace id')
  .option('--map <spec>', 'column mapping: "Số ĐT=phone,Mã KH=user_id,Thẻ=id:loyalty_card,Hạng=trait:tier,Ghi chú=skip"')
  .addOption(new Option('--channel <type>', 'channel the customers come from').choices([...CHANNEL_TYPES]).default('other'))
  .option('--errors <file>', 'write the per-row error report here (CSV)')
  .action(async (file: string, o: { workspace: string; map?: string; channel: ChannelType; errors?: string }) => {
    const mapping = parseMapping(o.map);
    await withDb(async (db) => {
      await getWorkspace(db.orm, o.workspace);
      const tty = process.stderr.isTTY;
      const started = performance.now();
      let last = 0;
      const result = await importProfilesCsv({
        db,
        log: pino({ level: 'warn' }, pino.destination(2)),
        workspaceId: o.workspace,
        file,
        mapping,
        channel: o.channel,
        onProgress: (p) => {
          const now = performance.now();
          if (now - last < 200) return;
          last = now;
          const rate = Math.round(p.rows / ((now - started) / 1000));
          const line = `rows ${p.rows.toLocaleString('en-US')}  imported ${p.imported.toLocaleString('en-US')}  unchanged ${p.unchanged.toLocaleString('en-US')}  failed ${p.failed.toLocaleString('en-US')}  ${rate.toLocaleString('en-US')} rows/s`;
          process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
        },
      });
      if (tty) process.stderr.write('\n');
      print(`rows ${result.rows}, imported ${result.imported}, unchanged ${result.unchanged}, failed ${result.failed} in ${result.seconds.toFixed(1)} s (source ${result.sourceId})`);
      if (result.errors.length) {
        const report = ['row,error', ...result.errors.map((e) => `${e.row},"${e.message.replace(/"/g, '""')}"`)].join('\n') + '\n';
        if (o.errors) {
          const fs = await import('node:fs');
          fs.writeFileSync(o.errors, report);
          print(`per-row errors written to ${o.errors}`);
        } else {
          for (const e of result.errors.slice(0, 20)) print(`  row ${e.row}: ${e.message}`);
          if (result.errors.length > 20) print(`  … ${result.errors.length - 20} more (use --errors <file> for the full report)`);
        }
        process.exitCode = 1;
      }
    });
  });

async function importCatalog(file: string, o: { workspace: string; errors?: string }): Promise<void> {
  await withDb(async (db) => {
    await getWorkspace(db.orm, o.workspace);
    const tty = process.stderr.isTTY;
    const started = performance.now();
    let last = 0;
    const result = await importCatalogCsv({
      db,
      workspaceId: o.workspace,
      file,
      onProgress: (p: CatalogImportProgress) => {
        const now = performance.now();
        if (now - last < 200) return;
        last = now;
        const rate = Math.round(p.rows / ((now - started) / 1000));
        const n = (v: number) => v.toLocaleString('en-US');
        const line = `rows ${n(p.rows)}  created ${n(p.created)}  updated ${n(p.updated)}  unchanged ${n(p.unchanged)}  failed ${n(p.failed)}  ${n(rate)} rows/s`;
        process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
      },
    });
    if (tty) process.stderr.write('\n');
    print(
      `rows ${result.rows}, created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, failed ${result.failed} in ${result.seconds.toFixed(1)} s ` +
        `(products created ${result.productsCreated}, categories created ${result.categoriesCreated}, stock levels set ${result.stockLevelsSet})`,
    );
    if (result.errors.length) {
      const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
      const report = ['line,field,error', ...result.errors.map((e) => `${e.line},${quote(e.field)},${quote(e.message)}`)].join('\n') + '\n';
      if (o.errors) {
        const fs = await import('node:fs');
        fs.writeFileSync(o.errors, report);
        print(`per-row errors written to ${o.errors}`);
      } else {
        for (const e of result.errors.slice(0, 20)) print(`  line ${e.line}: ${e.field}: ${e.message}`);
        if (result.errors.length > 20) print(`  … ${result.errors.length - 20} more (use --errors <file> for the full report)`);
      }
      process.exitCode = 1;
    }
  });
}

const catalogColumns =
  'Columns: sku, product, price (required); variant, handle, currency, barcode, category ("Thời trang > Áo"), price:<channelId>, stock:<locationId>.';

for (const command of [program.command('import-catalog <file>'), importData.command('catalog <file>')]) {
  command
    .description('import products, variants, prices and stock from a CSV file (idempotent: re-running changes nothing)')
    .addHelpText('after', `\n${catalogColumns}\n`)
    .requiredOption('--workspace <id>', 'workspace id')
    .option('--errors <file>', 'write the per-row error report here (CSV)')
    .action(importCatalog);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof Error) {
    process.stderr.write(`omni: ${err.message}\n`);
  } else {
    process.stderr.write(`omni: ${String(err)}\n`);
  }
  process.exit(2);
});
