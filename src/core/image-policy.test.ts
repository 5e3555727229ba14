import { describe, expect, it } from 'vitest';
import { ForbiddenError } from './errors.js';
import { checkImagePolicy } from './image-policy.js';

const DEFAULT = 'docker.io/apache/spark:4.0.1';

describe('checkImagePolicy', () => {
  it('always allows the default image', () => {
    expect(() => {
      checkImagePolicy(
        { allowCustomImages: false, allowedPatterns: [] },
        DEFAULT,
        DEFAULT,
        'config.sparkImage',
      );
    }).not.toThrow();
  });

  it('refuses every custom image when custom images are off, naming the policy and the field', () => {
    const check = () => {
      checkImagePolicy(
        { allowCustomImages: false, allowedPatterns: [] },
        'quay.io/a/b:1',
        DEFAULT,
        'config.sparkImage',
      );
    };
    expect(check).toThrow(ForbiddenError);
    expect(check).toThrow(/OSHINKO_ALLOW_CUSTOM_IMAGES=false.*config\.sparkImage "quay\.io\/a\/b:1"/);
  });

  it('matches patterns: * within a path component, ** across them', () => {
    const policy = {
      allowCustomImages: true,
      allowedPatterns: ['quay.io/team/**', 'docker.io/apache/spark:*'],
    };
    const allowed = (image: string) => {
      try {
        checkImagePolicy(policy, image, DEFAULT, 'config.sparkImage');
        return true;
      } catch (error) {
        // Only the policy's refusal means "not allowed": anything else is a bug to see, not a denial.
        if (error instanceof ForbiddenError) return false;
        throw error;
      }
    };
    expect(allowed('quay.io/team/spark:1')).toBe(true);
    expect(allowed('quay.io/team/sub/spark:1')).toBe(true);
    expect(allowed('docker.io/apache/spark:3.5.3')).toBe(true);
    expect(allowed('docker.io/apache/spark-py:3.5.3')).toBe(false);
    expect(allowed('quay.io/other/spark:1')).toBe(false);
    expect(allowed('quay.io/teamx/spark:1')).toBe(false);
  });
});
