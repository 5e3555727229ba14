import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError } from '../../core/errors.js';

/** Where a pod finds its service account; the client library reads the token and CA from here too. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** --kubeconfig or KUBECONFIG (serve-config folds the two). */
  readonly kubeconfig: string | undefined;
  /** --namespace or OSHINKO_NAMESPACE. */
  readonly namespace: string | undefined;
  /** KUBERNETES_SERVICE_HOST, which the kubelet sets in a pod (serve-config reads it); undefined outside one. */
  readonly serviceHost: string | undefined;
  /** Tests: a directory standing in for `/` (where the service account is looked for) and for the home. */
  readonly rootDir?: string | undefined;
  readonly homeDir?: string | undefined;
}

export interface LoadedKubeConfig {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** How the configuration was found, for `GET /` and error messages. */
  readonly source: string;
  readonly server: string;
  /** The kubeconfig's current context; undefined with a pod's service account. */
  readonly context: string | undefined;
  /** Where the namespace came from, for the line `oshinko serve` starts with. */
  readonly namespaceFrom: string;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Loads the Kubernetes configuration once: the named kubeconfig file(s), else the pod's service account, else
 * ~/.kube/config. Never falls back to localhost the way `loadFromDefault` does: without a configuration, a
 * server or a namespace, this is a ConfigurationError that says what to set.
 */
export function loadKubeConfig(options: KubeConfigOptions): LoadedKubeConfig {
  const kubeConfig = new KubeConfig();
  const saDir = join(options.rootDir ?? '/', SERVICE_ACCOUNT_DIR);
  let source: string;
  let contextNamespace: string | undefined;
  let inCluster = false;
  if (options.kubeconfig !== undefined) {
    const files = options.kubeconfig.split(':').filter((file) => file !== '');
    for (const file of files) {
      if (!existsSync(file)) {
        throw new ConfigurationError(
          `kubeconfig ${JSON.stringify(file)} does not exist (--kubeconfig or KUBECONFIG)`,
        );
      }
    }
    try {
      // Several files, as KUBECONFIG allows, merge the way kubectl merges them: the first one wins.
      files.forEach((file, index) => {
        const part = new KubeConfig();
        part.loadFromFile(file);
        if (index === 0) kubeConfig.loadFromFile(file);
        else kubeConfig.mergeConfig(part, true);
      });
    } catch (error) {
      throw new ConfigurationError(
        `cannot read kubeconfig ${JSON.stringify(options.kubeconfig)}: ${(error as Error).message}`,
      );
    }
    source = `kubeconfig ${options.kubeconfig}`;
    contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  } else if ((options.serviceHost ?? '') !== '' && existsSync(join(saDir, 'token'))) {
    kubeConfig.loadFromCluster(options.rootDir);
    source = 'in-cluster service account';
    inCluster = true;
    const nsFile = join(saDir, 'namespace');
    contextNamespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : undefined;
  } else {
    const file = join(options.homeDir ?? homedir(), '.kube', 'config');
    if (!existsSync(file)) {
      throw new ConfigurationError(
        'no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, or run inside a pod with a service account (or use --driver local)',
      );
    }
    try {
      kubeConfig.loadFromFile(file);
    } catch (error) {
      throw new ConfigurationError(
        `cannot read kubeconfig ${JSON.stringify(file)}: ${(error as Error).message}`,
      );
    }
    source = `kubeconfig ${file}`;
    contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  }
  allowPlainHttp(kubeConfig);
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null || cluster.server === '') {
    const context = kubeConfig.getCurrentContext();
    throw new ConfigurationError(
      `${source} has no cluster for its current context ${JSON.stringify(context)}; set current-context to a context with a cluster and server`,
    );
  }
  const namespace = options.namespace ?? (contextNamespace === '' ? undefined : contextNamespace);
  if (namespace === undefined) {
    throw new ConfigurationError(
      `no namespace for clusters: pass --namespace (or OSHINKO_NAMESPACE), or set a namespace in the current context of ${source}`,
    );
  }
  if (namespace.length > 63 || !DNS_1123_LABEL.test(namespace)) {
    throw new ConfigurationError(
      `invalid namespace ${JSON.stringify(namespace)}: a namespace is a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)`,
    );
  }
  return {
    kubeConfig,
    namespace,
    source,
    server: cluster.server,
    context: inCluster ? undefined : kubeConfig.getCurrentContext(),
    namespaceFrom:
      options.namespace !== undefined
        ? '--namespace or OSHINKO_NAMESPACE'
        : inCluster
          ? 'the service account'
          : 'the kubeconfig context',
  };
}

/**
 * A cluster served over plain http:// (what `kubectl proxy` serves, and what kubectl accepts) has no TLS to
 * verify, but the client library refuses http:// for every request, generated or applied to our own (lists,
 * watches, logs), unless skipTLSVerify is set. It is set here, in memory only, for those clusters: for them it
 * changes nothing else (there is no certificate), while https:// clusters keep their verification.
 */
export function allowPlainHttp(kubeConfig: KubeConfig): void {
  kubeConfig.clusters = kubeConfig.clusters.map((cluster) =>
    cluster.server.startsWith('http:') && !cluster.skipTLSVerify
      ? { ...cluster, skipTLSVerify: true }
      : cluster,
  );
}
