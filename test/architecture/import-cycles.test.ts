import { describe, expect, it } from 'vitest';
import { findImportCycles, readImportGraph } from './import-graph.js';

// Layers point one way and modules of one layer do not lean on each other in a circle: a cycle means two
// modules are one job split in two, or a type lives in the wrong module. Type-only imports count too, since
// they tie the modules together just the same for a reader.
describe('src/ has no import cycle', () => {
  it('finds none', () => {
    const cycles = findImportCycles(readImportGraph('src'));
    expect(cycles.map((cycle) => cycle.join(' -> '))).toEqual([]);
  });
});
