/**
 * Container image references, checked against the distribution reference grammar:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain     := host [ ":" port ]
 *   path-comp  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := algorithm ":" hex    (sha256 needs exactly 64 lowercase hex digits)
 *
 * The whole name is at most 255 characters. Messages say exactly what is wrong so a user can fix it.
 */
export interface ImageReference {
  /** Registry host[:port], or undefined when the reference has none (Docker Hub or a local image). */
  readonly domain: string | undefined;
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*$/;
const DIGEST_HEX = /^[0-9a-fA-F]{32,}$/;
const IPV6_HOST = /^\[[0-9a-fA-F:.]+\]$/;
const MAX_NAME_LENGTH = 255;

export type ImageRefResult = { ok: true; ref: ImageReference } | { ok: false; reason: string };

export function parseImageReference(input: string): ImageRefResult {
  const fail = (reason: string): ImageRefResult => ({ ok: false, reason });
  if (input.length === 0) return fail('the image reference is empty');
  if (input !== input.trim()) return fail('the image reference has leading or trailing spaces');
  if (/\s/.test(input)) return fail('the image reference contains whitespace');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const digestError = checkDigest(digest);
    if (digestError) return fail(digestError);
  }

  // A tag follows the last ':' that comes after the last '/', so "host:5000/repo" has no tag.
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) {
      return fail(
        `invalid tag "${tag}": a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'`,
      );
    }
  }

  if (rest.length === 0) return fail('the image reference has no repository name');
  if (rest.length > MAX_NAME_LENGTH) {
    return fail(
      `the repository name is ${rest.length} characters long; at most ${MAX_NAME_LENGTH} are allowed`,
    );
  }

  const components = rest.split('/');
  let domain: string | undefined;
  const first = components[0] ?? '';
  if (
    components.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  ) {
    domain = first;
    components.shift();
    const domainError = checkDomain(domain);
    if (domainError) return fail(domainError);
  }
  for (const component of components) {
    if (component.length === 0)
      return fail('the repository path has an empty component (a leading, trailing or double "/")');
    if (component !== component.toLowerCase()) {
      return fail(`repository name must be lowercase: "${component}"`);
    }
    if (!PATH_COMPONENT.test(component)) {
      return fail(
        `invalid repository path component "${component}": use lowercase letters and digits, separated by '.', '_', '__' or '-'`,
      );
    }
  }
  return { ok: true, ref: { domain, path: components.join('/'), tag, digest } };
}

function checkDomain(domain: string): string | undefined {
  let host = domain;
  const portMatch = /^(.*):([^:\]]*)$/.exec(domain);
  if (portMatch && !IPV6_HOST.test(domain)) {
    host = portMatch[1] ?? '';
    const port = portMatch[2] ?? '';
    if (!/^[0-9]+$/.test(port) || Number(port) > 65535)
      return `invalid registry port "${port}" in "${domain}"`;
  }
  if (IPV6_HOST.test(host)) return undefined;
  const parts = host.split('.');
  if (parts.some((part) => !DOMAIN_COMPONENT.test(part))) return `invalid registry host "${host}"`;
  return undefined;
}

function checkDigest(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon < 0) return `invalid digest "${digest}": expected algorithm:hex, e.g. sha256:<64 hex digits>`;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (!DIGEST_ALGORITHM.test(algorithm)) return `invalid digest algorithm "${algorithm}"`;
  if (algorithm === 'sha256' && !/^[0-9a-f]{64}$/.test(hex)) {
    return 'invalid sha256 digest: expected exactly 64 lowercase hex digits';
  }
  if (algorithm === 'sha512' && !/^[0-9a-f]{128}$/.test(hex)) {
    return 'invalid sha512 digest: expected exactly 128 lowercase hex digits';
  }
  if (!DIGEST_HEX.test(hex)) return 'invalid digest: expected at least 32 hex digits';
  return undefined;
}

/** The reference as users usually write it, e.g. "quay.io/org/spark:3.5". */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.domain ? `${ref.domain}/` : ''}${ref.path}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
