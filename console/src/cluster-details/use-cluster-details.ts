import { useCallback, useEffect, useState } from 'react';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { useApi } from '../api-context.js';
import { navigate } from '../navigation.js';
import type { ClusterAction } from '../shared/cluster-action-dialog.js';
import { errorMessage } from '../shared/format.js';
import { useToasts } from '../shared/toasts.js';
import { usePolling } from '../shared/use-polling.js';

const LOG_LINES = 200;

/** The cluster page's data: the cluster, polled, and what follows a scale or a delete started on the page. */
export function useClusterDetails(name: string, refreshMs: number) {
  const { client } = useApi();
  const load = useCallback(
    async () => ({ cluster: await client.getCluster(name), at: Date.now() }),
    [client, name],
  );
  const { data, error, refresh } = usePolling(load, refreshMs);
  const [action, setAction] = useState<ClusterAction | undefined>(undefined);
  const [toasts, notify] = useToasts();
  const cluster = data?.cluster;

  return {
    cluster,
    /** When the cluster was read: ages are counted to then. */
    readAt: data?.at ?? 0,
    error,
    toasts,
    action,
    scale: () => {
      if (cluster !== undefined) {
        setAction({ kind: 'scale', name: cluster.name, workerCount: cluster.config.workerCount });
      }
    },
    remove: () => {
      if (cluster !== undefined) setAction({ kind: 'delete', name: cluster.name });
    },
    closeDialog: () => {
      setAction(undefined);
    },
    onScaled: (scaled: ClusterModel) => {
      setAction(undefined);
      notify('success', `Cluster ${scaled.name} scaled to ${scaled.config.workerCount} workers`);
      void refresh();
    },
    onDeleted: () => {
      navigate('/');
    },
  };
}

/** The Spark home of the cluster's image on the local driver (its own spark-submit), else undefined. */
export function useSparkHome(image: string): string | undefined {
  const { client, info } = useApi();
  const [sparkHome, setSparkHome] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (info.driver !== 'local') return;
    let cancelled = false;
    client.listImages().then(
      (images) => {
        if (!cancelled) setSparkHome(images.find((found) => found.ref === image)?.sparkHome);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [client, info.driver, image]);

  return sparkHome;
}

/** The last lines of one pod's log (none read while `pod` is empty); `reload` reads them again. */
export function usePodLog(cluster: string, pod: string) {
  const { client } = useApi();
  const [text, setText] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (pod === '') return;
    let cancelled = false;
    client.logs(cluster, { pod, tail: LOG_LINES }).then(
      (logs) => {
        if (cancelled) return;
        setText(logs);
        setError(undefined);
      },
      (caught: unknown) => {
        if (!cancelled) setError(errorMessage(caught));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, cluster, pod, version]);

  return {
    text,
    error,
    reload: () => {
      setVersion(version + 1);
    },
  };
}
