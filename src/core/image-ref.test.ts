import { describe, expect, it } from 'vitest';
import { formatImageReference, parseImageReference } from './image-ref.js';

describe('parseImageReference', () => {
  it.each([
    ['spark', { domain: undefined, path: 'spark', tag: undefined }],
    ['apache/spark:3.5.3', { domain: undefined, path: 'apache/spark', tag: '3.5.3' }],
    ['docker.io/apache/spark:4.0.1', { domain: 'docker.io', path: 'apache/spark', tag: '4.0.1' }],
    [
      'localhost:5000/team/spark-custom:v1',
      { domain: 'localhost:5000', path: 'team/spark-custom', tag: 'v1' },
    ],
    ['localhost/spark', { domain: 'localhost', path: 'spark', tag: undefined }],
    [
      'registry.example.com:443/a/b/c__d/e.f-g:_tag.1-x',
      { domain: 'registry.example.com:443', path: 'a/b/c__d/e.f-g', tag: '_tag.1-x' },
    ],
    ['[::1]:5000/spark:1', { domain: '[::1]:5000', path: 'spark', tag: '1' }],
    ['quay.io/org/spark---x:latest', { domain: 'quay.io', path: 'org/spark---x', tag: 'latest' }],
    ['My.Registry.io/spark', { domain: 'My.Registry.io', path: 'spark', tag: undefined }],
  ])('accepts %s', (input, expected) => {
    const result = parseImageReference(input);
    expect(result).toMatchObject({ ok: true, ref: expected });
    if (result.ok) expect(formatImageReference(result.ref)).toBe(input);
  });

  it('accepts a digest with and without a tag', () => {
    const hex = 'a'.repeat(64);
    expect(parseImageReference(`quay.io/org/spark@sha256:${hex}`)).toMatchObject({
      ok: true,
      ref: { digest: `sha256:${hex}`, tag: undefined },
    });
    expect(parseImageReference(`spark:3.5@sha256:${hex}`)).toMatchObject({
      ok: true,
      ref: { tag: '3.5', path: 'spark' },
    });
  });

  it.each([
    ['', 'empty'],
    [' spark', 'spaces'],
    ['spark 3', 'whitespace'],
    ['docker.io/Apache/spark', 'lowercase'],
    ['apache/Spark:1', 'lowercase'],
    ['apache//spark', 'empty component'],
    ['/spark', 'empty component'],
    ['spark/', 'empty component'],
    ['spark:', 'invalid tag'],
    ['spark:-x', 'invalid tag'],
    ['spark:.x', 'invalid tag'],
    [`spark:${'a'.repeat(129)}`, 'invalid tag'],
    ['spark@sha256:abc', '64 lowercase hex'],
    [`spark@sha256:${'A'.repeat(64)}`, '64 lowercase hex'],
    ['spark@md5', 'algorithm:hex'],
    ['-spark', 'invalid repository path component'],
    ['spark-', 'invalid repository path component'],
    ['spa..rk', 'invalid repository path component'],
    ['spa___rk', 'invalid repository path component'],
    ['exa_mple.com/spark', 'invalid registry host'],
    ['example.com:99999/spark', 'invalid registry port'],
    ['example.com:port/spark', 'invalid registry port'],
    ['-bad.example.com/spark', 'invalid registry host'],
    ['a'.repeat(256), 'at most 255'],
    ['spark;rm -rf /', 'whitespace'],
    ['$(id)', 'invalid repository path component'],
  ])('rejects %j (%s)', (input, reason) => {
    const result = parseImageReference(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});
