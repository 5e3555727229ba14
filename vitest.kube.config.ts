import { defineConfig } from 'vitest/config';

/**
 * The suites that run against the real single-node Kubernetes of scripts/kube (npm run test:kube). One file at a
 * time: they share one node of 2 cores, and some of them stop and start its components.
 */
export default defineConfig({
  test: {
    include: ['test/e2e-kube/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
