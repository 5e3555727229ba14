import { useSyncExternalStore, type ReactNode } from 'react';

/** Client-side routes: "/" is the cluster list, "/ui/clusters/<name>" a cluster; the server serves both. */
export type Route = { page: 'list' } | { page: 'cluster'; name: string };

export function routeOf(pathname: string): Route {
  const match = /^\/ui\/clusters\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1] !== undefined) return { page: 'cluster', name: decodeURIComponent(match[1]) };
  return { page: 'list' };
}

export function clusterPath(name: string): string {
  return `/ui/clusters/${encodeURIComponent(name)}`;
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** A real link (open in new tab works) that navigates in place on a plain click. */
export function Link({ to, children, ...rest }: { to: string; children: ReactNode; 'data-test'?: string }) {
  return (
    <a
      href={to}
      {...rest}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
