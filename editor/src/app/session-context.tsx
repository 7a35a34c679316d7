import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { LiveClient } from '../api/live-client.js';
import type { Me, Permission } from '../api/types.js';

export interface Session {
  api: ApiClient;
  live: LiveClient;
  me: Me;
  /** Re-read /api/auth/me (after a role or two-factor change). */
  reload(): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside <SessionContext.Provider>: render the page inside the app shell.');
  return session;
}

export function useCan(permission: Permission): boolean {
  return useSession().me.permissions.includes(permission);
}
