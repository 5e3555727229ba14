import { describe, expect, it } from 'vitest';
import { startupLine } from './startup-line.js';

describe('startupLine', () => {
  it('says where a found kubeconfig sends clusters, and how to keep them on this machine', () => {
    const details = {
      namespace: 'spark',
      context: 'kind-x',
      'namespace-from': 'the kubeconfig context',
      config: 'kubeconfig /home/u/.kube/config',
    };
    expect(startupLine({ driver: 'kubernetes', driverFrom: 'detected' }, details)).toBe(
      'serving clusters on Kubernetes: context "kind-x", namespace "spark" (from the kubeconfig context); set --driver local (or OSHINKO_DRIVER=local) to run them on this machine',
    );
    // Asked for by name: no advice.
    expect(startupLine({ driver: 'kubernetes', driverFrom: '--driver' }, details)).toBe(
      'serving clusters on Kubernetes: context "kind-x", namespace "spark" (from the kubeconfig context)',
    );
  });

  it("names a pod's service account, which has no context", () => {
    const details = {
      namespace: 'spark',
      'namespace-from': 'the service account',
      config: 'in-cluster service account',
    };
    expect(startupLine({ driver: 'kubernetes', driverFrom: '--driver' }, details)).toBe(
      'serving clusters on Kubernetes: in-cluster service account, namespace "spark" (from the service account)',
    );
  });

  it('says where the local driver keeps its data, under ~ when it is there', () => {
    expect(
      startupLine(
        { driver: 'local', driverFrom: 'detected' },
        { home: '/home/u/.local/share/oshinko' },
        '/home/u',
      ),
    ).toBe('serving clusters on this machine (local driver, data in ~/.local/share/oshinko)');
    expect(
      startupLine({ driver: 'local', driverFrom: '--driver' }, { home: '/srv/oshinko' }, '/home/u'),
    ).toBe('serving clusters on this machine (local driver, data in /srv/oshinko)');
  });
});
