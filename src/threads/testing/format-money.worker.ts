/**
 * A worker for spawn-worker.spec.ts: it imports a TypeScript module of ours
 * (the money vocabulary), as the projection worker imports the pure projections.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { formatMoney, parseMoney } from '../../ledger/money';

const { amount, currency } = workerData as { amount: string; currency: string };
parentPort?.postMessage(formatMoney(parseMoney(amount, currency)));
