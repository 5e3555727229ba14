import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'console/src/**/*.test.tsx'],
    // The real-cluster suites need the test cluster (npm run test:kube, vitest.kube.config.ts).
    exclude: ['test/e2e-kube/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
