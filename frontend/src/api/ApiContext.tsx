import { createContext, useCallback, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from './client';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (client === null) throw new Error('useApi must be used inside <ApiProvider>');
  return client;
}

/** Whether the user holds tokens; re-renders on sign-in and sign-out. */
export function useAuthenticated(): boolean {
  const client = useApi();
  const subscribe = useCallback((onChange: () => void) => client.subscribe(onChange), [client]);
  const snapshot = useCallback(() => client.isAuthenticated(), [client]);
  return useSyncExternalStore(subscribe, snapshot);
}
