import { useEffect, useState } from 'react';
import type { ApiClient } from '../../api/api-client.js';
import { errorMessage } from '../../api/api-error.js';
import { MarkdownView } from './markdown-view.js';

const cache = new Map<string, string>();

/** The help text of a node type (GET /api/nodes/:type), fetched once per type. */
export function HelpPanel({ api, type }: { api: ApiClient; type: string | undefined }) {
  const [help, setHelp] = useState<string | undefined>(type ? cache.get(type) : undefined);
  const [failure, setFailure] = useState('');
  useEffect(() => {
    if (!type) return;
    if (cache.has(type)) return setHelp(cache.get(type));
    let cancelled = false;
    setHelp(undefined);
    setFailure('');
    api.get<{ help: string }>(`/api/nodes/${encodeURIComponent(type)}`).then(
      (answer) => {
        cache.set(type, answer.help);
        if (!cancelled) setHelp(answer.help);
      },
      (error: unknown) => !cancelled && setFailure(errorMessage(error)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, type]);
  if (!type) return <p className="fe-muted">Select a node to see its help.</p>;
  if (failure) return <p role="alert">{failure}</p>;
  if (help === undefined) return <p className="fe-muted">Loading help…</p>;
  return (
    <section aria-label={`Help for ${type}`}>
      <h2>{type}</h2>
      {help ? <MarkdownView source={help} /> : <p className="fe-muted">This node type has no help text.</p>}
    </section>
  );
}
