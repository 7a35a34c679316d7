import { useEffect, useState } from 'react';
import type { LiveClient, LiveConnectionState } from '../api/live-client.js';

/** Shown while the live connection to the server is down; unsaved edits stay in the page. */
export function ReconnectingBanner({ live }: { live: LiveClient }) {
  const [state, setState] = useState<LiveConnectionState>(live.state);
  useEffect(() => live.onState(setState), [live]);
  // The state is kept in the page (hidden) for tests and support: "is the live connection up?".
  if (state !== 'reconnecting') return <span hidden data-testid="live-state" data-state={state} />;
  return (
    <div className="reconnecting-banner" role="alert">
      Connection to the server lost — reconnecting… Your unsaved edits are kept.
    </div>
  );
}
