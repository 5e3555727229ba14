import { ForbiddenError } from './errors.js';

/**
 * What an administrator allows as custom images. `allow` patterns match a whole reference; `*` matches any run
 * of characters except '/', `**` any run including '/'. E.g. `quay.io/my-team/**`.
 */
export interface ImagePolicy {
  readonly allowCustomImages: boolean;
  readonly allowedPatterns: readonly string[];
}

export const OPEN_IMAGE_POLICY: ImagePolicy = Object.freeze({ allowCustomImages: true, allowedPatterns: [] });

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

export function checkImagePolicy(
  policy: ImagePolicy,
  image: string,
  defaultImage: string,
  field: string,
  /** How the message names where the image came from; the field by default. */
  subject: string = field,
): void {
  if (image === defaultImage) return;
  if (!policy.allowCustomImages) {
    throw new ForbiddenError(
      `custom images are disabled by the server's image policy (OSHINKO_ALLOW_CUSTOM_IMAGES=false); ${subject} ${JSON.stringify(image)} is not the default image ${JSON.stringify(defaultImage)}`,
      { field },
    );
  }
  if (
    policy.allowedPatterns.length > 0 &&
    !policy.allowedPatterns.some((p) => patternToRegExp(p).test(image))
  ) {
    throw new ForbiddenError(
      `${subject} ${JSON.stringify(image)} is not allowed by the server's image policy (OSHINKO_ALLOWED_IMAGES=${policy.allowedPatterns.join(',')})`,
      { field },
    );
  }
}
