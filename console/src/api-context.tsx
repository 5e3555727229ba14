import { createContext, useContext, type ReactNode } from 'react';
import type { OshinkoClient, ServerInfo } from '../../src/client/oshinko-client.js';

export interface Api {
  readonly client: OshinkoClient;
  /** `GET /` as the server answered it at start-up: default image, driver, limits. */
  readonly info: ServerInfo['application'];
}

const ApiContext = createContext<Api | undefined>(undefined);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error('useApi must be used inside <ApiProvider>');
  return api;
}
