import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient } from '../api/api-client.js';
import { errorMessage } from '../api/api-error.js';
import { LiveClient } from '../api/live-client.js';
import type { Me } from '../api/types.js';
import { LoginPage } from '../pages/login-page.js';
import { SetupPage } from '../pages/setup-page.js';
import { AlertToasts } from './alert-toasts.js';
import { PageBody } from './page-body.js';
import { ReauthDialog } from './reauth-dialog.js';
import { ReconnectingBanner } from './reconnecting-banner.js';
import { SessionContext, type Session } from './session-context.js';
import { TopBar } from './top-bar.js';
import { useHashRoute } from './use-hash-route.js';

type AuthState = { kind: 'loading' } | { kind: 'signed-out'; notice?: string } | { kind: 'signed-in'; me: Me } | { kind: 'failed'; message: string };

/** The shell: first-start setup, sign-in, then the top bar and the current page. */
export function App() {
  const api = useMemo(() => new ApiClient(), []);
  const live = useMemo(() => new LiveClient(api), [api]);
  const [auth, setAuth] = useState<AuthState>({ kind: 'loading' });
  const route = useHashRoute();
  const onSetupPath = window.location.pathname === '/setup';

  const load = useCallback(async () => {
    try {
      const me = await api.me();
      setAuth(me ? { kind: 'signed-in', me } : { kind: 'signed-out' });
    } catch (error) {
      setAuth({ kind: 'failed', message: errorMessage(error) });
    }
  }, [api]);

  useEffect(() => {
    if (!onSetupPath) void load();
  }, [load, onSetupPath]);
  useEffect(() => api.onSignedOut(() => setAuth({ kind: 'signed-out', notice: 'Your session ended. Sign in again.' })), [api]);
  useEffect(() => {
    if (auth.kind !== 'signed-in') return;
    live.connect();
    return () => live.disconnect();
  }, [auth.kind, live]);

  if (onSetupPath) return <SetupPage api={api} />;
  if (auth.kind === 'loading') return <p className="loading" role="status">Loading…</p>;
  if (auth.kind === 'failed')
    return (
      <main className="centered">
        <p role="alert">{auth.message}</p>
        <button type="button" onClick={() => void load()}>
          Retry
        </button>
      </main>
    );
  if (auth.kind === 'signed-out') return <LoginPage api={api} notice={auth.notice} onSignedIn={(me) => setAuth({ kind: 'signed-in', me })} />;

  const session: Session = {
    api,
    live,
    me: auth.me,
    reload: load,
    async signOut() {
      try {
        await api.post('/api/auth/logout', undefined, { noRefresh: true });
      } catch {
        // Already signed out on the server: clearing the page is all that is left.
      }
      live.disconnect();
      setAuth({ kind: 'signed-out', notice: 'Signed out.' });
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <TopBar route={route} />
      <ReconnectingBanner live={live} />
      <PageBody route={route} />
      <AlertToasts live={live} />
      <ReauthDialog api={api} />
    </SessionContext.Provider>
  );
}
