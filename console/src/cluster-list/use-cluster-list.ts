import { useCallback, useState } from 'react';
import type { ClusterModel, ClusterSummary } from '../../../src/client/oshinko-client.js';
import { useApi } from '../api-context.js';
import type { ClusterAction } from '../shared/cluster-action-dialog.js';
import { useToasts } from '../shared/toasts.js';
import { usePolling } from '../shared/use-polling.js';
import { useFilteredPages } from './use-filtered-pages.js';

/**
 * The list page's data: the clusters, polled, filtered and paged, and what follows a deploy, scale or delete
 * (a toast and a refresh). The row callbacks are stable, so a refresh that changed nothing redraws no row.
 */
export function useClusterList(refreshMs: number) {
  const { client } = useApi();
  const load = useCallback(async () => ({ clusters: await client.listClusters(), at: Date.now() }), [client]);
  const { data, error, loading, refresh } = usePolling(load, refreshMs);
  const [action, setAction] = useState<ClusterAction | undefined>(undefined);
  const [toasts, notify] = useToasts();
  const clusters = data?.clusters;
  const view = useFilteredPages(clusters);

  const onDeployed = useCallback(
    (cluster: ClusterModel) => {
      notify('success', `Cluster ${cluster.name} deployed`);
      void refresh();
    },
    [notify, refresh],
  );
  const scale = useCallback((cluster: ClusterSummary) => {
    setAction({ kind: 'scale', name: cluster.name, workerCount: cluster.workerCount });
  }, []);
  const remove = useCallback((name: string) => {
    setAction({ kind: 'delete', name });
  }, []);

  return {
    clusters,
    /** When the list was read: ages are counted to then. */
    readAt: data?.at ?? 0,
    error,
    loading,
    view,
    toasts,
    onDeployed,
    scale,
    remove,
    action,
    closeDialog: () => {
      setAction(undefined);
    },
    onScaled: (cluster: ClusterModel) => {
      setAction(undefined);
      notify('success', `Cluster ${cluster.name} scaled to ${cluster.config.workerCount} workers`);
      void refresh();
    },
    onDeleted: (name: string) => {
      setAction(undefined);
      notify('success', `Cluster ${name} deleted`);
      void refresh();
    },
  };
}
