// Preloaded into a server the tests start (`node --expose-gc --require <this>`): on SIGUSR2 it collects garbage
// fully and writes process.memoryUsage() to OSHINKO_TEST_MEMORY_FILE, so a test can compare live heap, not RSS.
'use strict';
const { writeFileSync } = require('node:fs');

process.on('SIGUSR2', () => {
  const target = process.env.OSHINKO_TEST_MEMORY_FILE;
  if (target === undefined || typeof globalThis.gc !== 'function') return;
  globalThis.gc();
  globalThis.gc();
  writeFileSync(target, JSON.stringify(process.memoryUsage()));
});
