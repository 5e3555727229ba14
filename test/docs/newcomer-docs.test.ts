import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterStatus } from '../../src/api/schemas.js';
import { CLUSTER_LABEL } from '../../src/drivers/kubernetes/labels.js';
import { REPO } from '../cli/cli-process.js';

/**
 * The pages a newcomer looks for: the quick starts, troubleshooting and operations, held to the files and the code
 * they speak of (the template's parameters, the kustomization's namespace, the statuses, the labels).
 */

function read(path: string): string {
  return readFileSync(join(REPO, path), 'utf8');
}

/** The commands of a page's first `sh` block: its lines, without comments and blank lines. */
function firstCommands(page: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(read(page))?.[1] ?? '';
  return block.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

const NEW_PAGES = [
  'docs/quickstart-kubernetes.md',
  'docs/quickstart-openshift.md',
  'docs/troubleshooting.md',
  'docs/operations.md',
];

describe('the pages a newcomer looks for', () => {
  it.each(NEW_PAGES)('the README links %s', (page) => {
    expect(read('README.md')).toContain(`](${page})`);
  });

  it('the Kubernetes quick start goes from nothing to a result and a deletion in ten commands or fewer', () => {
    const commands = firstCommands('docs/quickstart-kubernetes.md');
    expect(commands.length).toBeLessThanOrEqual(10);
    const text = commands.join('\n');
    for (const step of [
      'npm install -g ',
      'kubectl apply -k deploy/kubernetes',
      'port-forward svc/oshinko',
      'oshinko create ',
      '--wait',
      'spark-submit',
      'oshinko delete ',
    ]) {
      expect({ step, given: text.includes(step) }).toEqual({ step, given: true });
    }
    // Every namespace it names is the one the kustomization deploys the server into.
    const kustomization = parse(read('deploy/kubernetes/kustomization.yaml')) as { namespace: string };
    const namespaces = [...text.matchAll(/ -n (\S+)/g)].map((match) => match[1]);
    expect(namespaces.length).toBeGreaterThan(3);
    expect(new Set(namespaces)).toEqual(new Set([kustomization.namespace]));
  });

  it('the OpenShift quick start processes the template with its own parameters, and warns of the generated token', () => {
    const commands = firstCommands('docs/quickstart-openshift.md');
    expect(commands.length).toBeLessThanOrEqual(10);
    expect(commands.join('\n')).toContain('oc process -f deploy/openshift/oshinko-template.yaml');
    const [template] = parseAllDocuments(read('deploy/openshift/oshinko-template.yaml')).map(
      (document) => document.toJS() as { parameters: { name: string; generate?: string }[] },
    );
    const parameters = new Map(template?.parameters.map((parameter) => [parameter.name, parameter]));
    const page = read('docs/quickstart-openshift.md');
    for (const [, name] of page.matchAll(/-p ([A-Z_]+)=/g)) {
      expect({ name, parameter: name !== undefined && parameters.has(name) }).toEqual({
        name,
        parameter: true,
      });
    }
    // The warning holds only while the token is generated when not given.
    expect(parameters.get('OSHINKO_TOKEN')?.generate).toBe('expression');
    expect(page).toContain('-p OSHINKO_TOKEN=');
    expect(page.replace(/\s+/g, ' ')).toContain('writes a **new** token');
  });

  it('troubleshooting explains every status and every pod failure the status is derived from', () => {
    const page = read('docs/troubleshooting.md');
    for (const status of ClusterStatus.anyOf.map((literal) => literal.const)) {
      expect({ status, row: page.includes(`| \`${status}\``) }).toEqual({ status, row: true });
    }
    const source = read('src/core/cluster-status.ts');
    const failing = /FAILING_POD_STATUSES = new Set\(\[([\s\S]*?)\]\)/.exec(source)?.[1] ?? '';
    const reasons = [...failing.matchAll(/'(\w+)'/g)].map((match) => match[1] ?? '');
    expect(reasons).toContain('CreateContainerConfigError');
    for (const reason of reasons) {
      expect({ reason, explained: new RegExp(`\\b${reason}\\b`).test(page) }).toEqual({
        reason,
        explained: true,
      });
    }
    expect(page).toMatch(/non-numeric user[\s\S]*--run-as-user[\s\S]*config\.runAsUser/);
  });

  it('operations installs from a packed tarball and selects clusters by the label the driver puts on them', () => {
    const page = read('docs/operations.md');
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(page).toContain('npm pack');
    expect(page).toContain(`npm install -g ./oshinko-${version}.tgz`);
    expect(page).toContain('npm install -g oshinko');
    const selectors = [...page.matchAll(/ -l ([\w./-]+)/g)].map((match) => match[1]);
    expect(selectors.length).toBeGreaterThan(0);
    expect(new Set(selectors)).toEqual(new Set([CLUSTER_LABEL]));
  });
});
