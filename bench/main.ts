/**
 * `npm run bench -- <name> [--db postgres|pglite|both] [--smoke]`
 * Benchmarks print figures; they are not tests. --smoke runs a tiny size (CI keeps the code working).
 */
import { runCartSyncBench } from './cart-sync';
import { runCommerceBench } from './commerce';
import { runErasureBench } from './erasure';
import { runFuzzBench } from './fuzz';
import { runIngestBench } from './ingest';
import { runPricingBench } from './pricing';

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'ingest';
const flag = (f: string) => {
  const i = args.indexOf(`--${f}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const smoke = args.includes('--smoke');
const dbArg = flag('db') ?? 'both';
const backends = (dbArg === 'both' ? ['postgres', 'pglite'] : [dbArg]) as ('postgres' | 'pglite')[];
const num = (f: string, fallback: number) => Number(flag(f) ?? fallback);

switch (name) {
  case 'ingest':
    await runIngestBench({
      backends,
      people: num('people', smoke ? 200 : 20_000),
      batchEvents: num('events', smoke ? 2_000 : 200_000),
      batchSize: num('batch-size', 100),
      batchConcurrency: num('concurrency', 16),
      trackCalls: num('track-calls', smoke ? 500 : 30_000),
      trackConcurrency: num('track-concurrency', 32),
    });
    break;
  case 'commerce':
    await runCommerceBench({
      backends,
      rounds: num('rounds', smoke ? 2 : 20),
      ordersPerRound: num('orders', smoke ? 30 : 200),
      units: num('units', 10),
    });
    await runCartSyncBench({
      backends,
      customers: num('customers', smoke ? 5 : 50),
      changesPerCustomer: num('changes', smoke ? 5 : 40),
    });
    break;
  case 'cart-sync':
    await runCartSyncBench({ backends, customers: num('customers', smoke ? 5 : 50), changesPerCustomer: num('changes', smoke ? 5 : 40) });
    break;
  case 'pricing':
    await runPricingBench({ backends, quotes: num('quotes', smoke ? 50 : 2000), promotions: num('promotions', smoke ? 20 : 200), raceShoppers: num('shoppers', smoke ? 10 : 100) });
    break;
  case 'erasure':
    await runErasureBench({
      backends,
      people: num('people', smoke ? 200 : 20_000),
      events: num('events', smoke ? 2_000 : 200_000),
      erase: num('erase', smoke ? 3 : 20),
      trackClients: num('track-clients', 4),
    });
    break;
  case 'fuzz':
    await runFuzzBench({
      backends: (flag('db') ? backends : ['pglite']) as ('postgres' | 'pglite')[],
      requests: num('requests', smoke ? 200 : 10_000),
      batch: num('batch', smoke ? 100 : 500),
      demo: !smoke,
      concurrency: num('concurrency', 16),
      seed: num('seed', 1),
      logs: args.includes('--logs'),
    });
    break;
  default:
    console.error(`unknown benchmark "${name}"; available: ingest, commerce (includes cart-sync), cart-sync, pricing, erasure, fuzz`);
    process.exit(2);
}
