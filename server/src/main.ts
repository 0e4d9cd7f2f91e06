/** Reads config, builds the app, listens. Nothing else. */
import { firstWorkspaceId } from './modules/workspaces';
import { loadConfig, ConfigError } from './config';
import { buildApp } from './app';
import { DataDirLockedError } from './db/lockfile';
import { seedDemo } from './flows/demo-seed';

async function main(): Promise<void> {
  const config = loadConfig();
  const { app, ctx, bootstrap, consoleAdmin } = await buildApp({ config });
  if (bootstrap) {
    const lines = [
      '',
      'Omni created its first workspace.',
      `  workspace:   ${bootstrap.workspaceId}`,
    ];
    if (bootstrap.generated) {
      lines.push(
        `  admin token: ${bootstrap.adminToken}   (Authorization: Bearer …, for /api/v1)`,
        `  write key:   ${bootstrap.writeKey}   (HTTP Basic username, for /v1/track …)`,
        'These are shown once and stored only as hashes. Keep them now.',
      );
    } else {
      lines.push('  admin token and write key: from OMNI_ADMIN_TOKEN / OMNI_WRITE_KEY');
    }
    process.stdout.write(lines.join('\n') + '\n\n');
  }
  if (consoleAdmin) {
    process.stdout.write(
      [
        'Console admin (sign in at /):',
        `  email:    ${consoleAdmin.email}`,
        consoleAdmin.generated ? `  password: ${consoleAdmin.password}   (shown once; change it by inviting yourself a new account)` : '  password: from OMNI_ADMIN_PASSWORD',
        '',
      ].join('\n') + '\n',
    );
  }
  const address = await app.listen({ port: config.port, host: config.host });
  const base = address.replace('0.0.0.0', '127.0.0.1');
  process.stdout.write(
    [
      '',
      `Omni is ready: ${base}`,
      `  console:       ${base}/`,
      ...(config.demo ? [`  demo shop:     ${base}/demo/store   (open it in two windows)`, `  store counter: ${base}/demo/pos`] : []),
      `  API reference: ${base}/docs`,
      '',
    ].join('\n') + '\n',
  );
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // A new, empty workspace gets the demo shop while the server already answers (OMNI_DEMO=false
  // starts empty); an interrupted seed resumes on the next start.
  const demoWorkspace = bootstrap?.workspaceId ?? (await firstWorkspaceId(ctx.db.orm));
  if (config.demo && demoWorkspace) {
    try {
      const seeded = await seedDemo(app, ctx.db, demoWorkspace, { log: (line) => process.stdout.write(`${line}\n`) });
      if (seeded.seeded) process.stdout.write(`demo: ready — ${seeded.customers} customers, ${seeded.orders} orders, ${seeded.events} events\n`);
    } catch (err) {
      app.log.warn({ err }, 'demo seed stopped; it resumes on the next start');
    }
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    process.stderr.write(`omni: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`omni: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
