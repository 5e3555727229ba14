import { describe, expect, it } from 'vitest';
import { clusterTable } from '../cli/format.js';
import { formatAge } from './format-age.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('formatAge', () => {
  it('prints ages as kubectl does (duration.HumanDuration)', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [45, '45s'],
      [90, '90s'],
      [119, '119s'],
      [2 * MINUTE, '2m'],
      [3 * MINUTE + 10, '3m10s'],
      [12 * MINUTE, '12m'],
      [70 * MINUTE, '70m'],
      [3 * HOUR, '3h'],
      [5 * HOUR + 10 * MINUTE, '5h10m'],
      [47 * HOUR, '47h'],
      [49 * HOUR, '2d1h'],
      [7 * DAY, '7d'],
      [8 * DAY + 2 * HOUR, '8d'],
      [367 * DAY, '367d'],
      [730 * DAY + 25 * HOUR, '2y1d'],
      [8 * 365 * DAY + 2 * HOUR, '8y'],
    ];
    for (const [seconds, age] of cases)
      expect([seconds, formatAge(ago(seconds), NOW)]).toEqual([seconds, age]);
  });

  it('shows a creation a little in the future (clock skew) as 0s, and a bad date as unknown', () => {
    expect(formatAge(ago(-30), NOW)).toBe('0s');
    expect(formatAge('not a date', NOW)).toBe('<unknown>');
  });

  it('is what the CLI prints', () => {
    const table = clusterTable(
      [
        {
          name: 'a',
          href: '/clusters/a',
          status: 'Running',
          masterCount: 1,
          workerCount: 1,
          workersReady: 1,
          masterUrl: 'spark://a:7077',
          masterWebUrl: 'http://a-ui:8080',
          image: 'spark',
          customImage: false,
          imageSource: 'default',
          createdAt: ago(90),
        },
      ],
      NOW,
    );
    expect(table.trimEnd().endsWith(' 90s')).toBe(true);
  });
});
