/**
 * Per-role CPU and memory of a cluster (`config.masterResources`, `config.workerResources`): Kubernetes quantities,
 * set on each pod as requests and limits, and what a worker then offers its master. Pure.
 */
import { invalidField, invalidValue, unprocessableValue } from './errors.js';

export interface Resources {
  /** A Kubernetes CPU quantity: `2`, `1.5`, `500m`. */
  readonly cpu?: string | undefined;
  /** A Kubernetes memory quantity: `4Gi`, `1536Mi`, `2G`. */
  readonly memory?: string | undefined;
}

const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Kubernetes' quantity syntax (no sign: a negative request makes no sense here). */
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The value of a quantity in base units (cores, bytes), or undefined when it is not one. */
export function quantityValue(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (match?.[1] === undefined) return undefined;
  const base = Number(match[1]);
  if (match[2] !== undefined) return base * 10 ** Number(match[2].slice(1));
  return base * (SUFFIXES[match[3] ?? ''] ?? Number.NaN);
}

const MiB = 2 ** 20;

/** The memory a worker keeps for its own daemon: a 256 MiB heap (SPARK_DAEMON_MEMORY) and as much again around it. */
export const WORKER_DAEMON_MIB = 512;
/** A worker must have at least this much to offer executors: less is refused when the cluster is created. */
export const MIN_OFFERED_MIB = 256;

/**
 * What a worker given `resources` offers its master, as SPARK_WORKER_CORES and SPARK_WORKER_MEMORY (MiB):
 * - cores: the CPU rounded down to whole cores, at least 1 (Spark counts whole cores; a CPU below 1 is one core
 *   throttled to the limit);
 * - memory: the limit less the worker daemon's own `WORKER_DAEMON_MIB` and 10% of the limit for the executors'
 *   memory outside their heap (Spark's standalone workers hand out heap sizes, not container sizes).
 */
export function workerOffer(resources: Resources | undefined): { cores?: number; memoryMiB?: number } {
  const cpu = resources?.cpu === undefined ? undefined : quantityValue(resources.cpu);
  const memory = resources?.memory === undefined ? undefined : quantityValue(resources.memory);
  return {
    ...(cpu === undefined ? {} : { cores: Math.max(1, Math.floor(cpu + 1e-9)) }),
    ...(memory === undefined
      ? {}
      : { memoryMiB: Math.floor(memory / MiB - WORKER_DAEMON_MIB - (memory / MiB) * 0.1) }),
  };
}

/** The master's heap under a memory limit: three quarters of it, so the JVM around the heap fits too. */
export function masterHeapMiB(resources: Resources | undefined): number | undefined {
  const memory = resources?.memory === undefined ? undefined : quantityValue(resources.memory);
  return memory === undefined ? undefined : Math.floor((memory / MiB) * 0.75);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates `config.masterResources` / `config.workerResources` and names the field in every error: only `cpu` and
 * `memory`, each a Kubernetes quantity above zero, as the API server would accept it.
 */
export function parseResources(value: unknown, field: string, role: 'master' | 'worker'): Resources {
  if (!isRecord(value)) {
    throw invalidField(field, 'expected an object such as {"cpu": "1", "memory": "2Gi"}');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'cpu' && key !== 'memory') {
      throw invalidField(`${field}.${key}`, 'only cpu and memory can be set');
    }
  }
  const out: { cpu?: string; memory?: string } = {};
  for (const key of ['cpu', 'memory'] as const) {
    const raw = value[key];
    if (raw === undefined) continue;
    const text = typeof raw === 'number' ? String(raw) : raw;
    const amount = typeof text === 'string' ? quantityValue(text.trim()) : undefined;
    const rule = `expected a Kubernetes quantity above zero, e.g. ${key === 'cpu' ? '"2" or "500m"' : '"4Gi" or "1536Mi"'}`;
    if (typeof text !== 'string' || amount === undefined) throw invalidValue(`${field}.${key}`, raw, rule);
    // Quantities of the right form whose amount is refused: the schema states the form, not the amount (422).
    if (!Number.isFinite(amount) || amount <= 0) throw unprocessableValue(`${field}.${key}`, raw, rule);
    if (key === 'cpu' && amount < 0.001) {
      throw unprocessableValue(`${field}.cpu`, raw, 'the smallest CPU is 1m');
    }
    out[key] = text.trim();
  }
  if (role === 'worker' && out.memory !== undefined) {
    const offered = workerOffer(out).memoryMiB ?? 0;
    if (offered < MIN_OFFERED_MIB) {
      throw unprocessableValue(
        `${field}.memory`,
        out.memory,
        `a worker keeps ${String(WORKER_DAEMON_MIB)} MiB and 10% for itself and must offer executors at least ${String(MIN_OFFERED_MIB)} MiB; give at least 854Mi`,
      );
    }
  }
  if (role === 'master' && out.memory !== undefined && (masterHeapMiB(out) ?? 0) < 128) {
    throw unprocessableValue(
      `${field}.memory`,
      out.memory,
      'the master needs at least 171Mi (a 128 MiB heap)',
    );
  }
  return out;
}
