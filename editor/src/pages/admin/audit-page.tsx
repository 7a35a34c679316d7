import { useState, type FormEvent } from 'react';
import { queryString } from '../../api/api-client.js';
import { useSession } from '../../app/session-context.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorText } from '../../components/error-text.js';
import { formatTime } from '../../components/format.js';
import { TextField } from '../../components/text-field.js';
import { useAction, useLoader } from '../../components/use-loader.js';

interface AuditEntry {
  seq: number;
  time: string;
  actor?: string;
  action: string;
  target?: string;
  outcome: 'success' | 'failure';
  sourceIp?: string;
  details?: Record<string, unknown>;
}

const PAGE_SIZE = 50;

interface AuditFilter {
  actor: string;
  action: string;
  since: string;
  until: string;
}

/** The audit log, newest first: filter by actor, action and time; page through; check the hash chain. */
export function AuditPage() {
  const { api } = useSession();
  const [draft, setDraft] = useState<AuditFilter>({ actor: '', action: '', since: '', until: '' });
  const [filter, setFilter] = useState<AuditFilter>(draft);
  const [page, setPage] = useState(0);
  const query = {
    actor: filter.actor || undefined,
    action: filter.action || undefined,
    since: filter.since ? new Date(filter.since).toISOString() : undefined,
    until: filter.until ? new Date(filter.until).toISOString() : undefined,
  };
  // One more than a page tells whether a next page exists.
  const entries = useLoader(
    () => api.get<{ entries: AuditEntry[] }>('/api/audit', { query: { ...query, limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE } }).then((r) => r.entries),
    [api, filter, page],
  );
  const verify = useAction();
  const [chain, setChain] = useState<string>();
  const rows = (entries.data ?? []).slice(0, PAGE_SIZE);
  const hasNext = (entries.data?.length ?? 0) > PAGE_SIZE;

  function apply(event: FormEvent): void {
    event.preventDefault();
    setPage(0);
    setFilter(draft);
  }
  async function checkChain(): Promise<void> {
    await verify.run(async () => {
      const result = await api.get<{ ok: boolean; [k: string]: unknown }>('/api/audit/verify');
      setChain(result.ok ? 'The hash chain is intact: no entry was changed or removed.' : `The chain is broken: ${JSON.stringify(result)}`);
    });
  }

  return (
    <main className="page">
      <h1>Audit log</h1>
      <form className="toolbar" onSubmit={apply} aria-label="Filter">
        <TextField label="Actor" value={draft.actor} onValueChange={(actor) => setDraft({ ...draft, actor })} />
        <TextField label="Action" hint="e.g. auth.login" value={draft.action} onValueChange={(action) => setDraft({ ...draft, action })} />
        <TextField label="From" type="datetime-local" value={draft.since} onValueChange={(since) => setDraft({ ...draft, since })} />
        <TextField label="Until" type="datetime-local" value={draft.until} onValueChange={(until) => setDraft({ ...draft, until })} />
        <button type="submit">Filter</button>
        <a className="button" href={'/api/audit/export' + queryString({ since: query.since, until: query.until })} download="loopedge-audit.jsonl">
          Export (JSON lines)
        </a>
        <button type="button" onClick={() => void checkChain()} disabled={verify.busy}>
          Verify chain
        </button>
      </form>
      {chain && <p role="status">{chain}</p>}
      <ErrorText message={entries.error ?? verify.error} />
      <DataTable
        caption="Audit entries"
        rows={rows}
        rowKey={(e) => String(e.seq)}
        empty={entries.loading ? 'Loading…' : 'No entries match.'}
        columns={[
          { header: '#', cell: (e) => e.seq },
          { header: 'Time', cell: (e) => formatTime(e.time) },
          { header: 'Actor', cell: (e) => e.actor ?? '—' },
          { header: 'Action', cell: (e) => e.action },
          { header: 'Target', cell: (e) => e.target ?? '' },
          { header: 'Outcome', cell: (e) => <span className={'badge ' + (e.outcome === 'success' ? 'ok' : 'warn')}>{e.outcome}</span> },
          { header: 'From', cell: (e) => e.sourceIp ?? '' },
          { header: 'Details', cell: (e) => (e.details ? <code className="details">{JSON.stringify(e.details)}</code> : '') },
        ]}
      />
      <nav className="pager" aria-label="Pages">
        <button type="button" onClick={() => setPage(page - 1)} disabled={page === 0}>
          Newer
        </button>
        <span>Page {page + 1}</span>
        <button type="button" onClick={() => setPage(page + 1)} disabled={!hasNext}>
          Older
        </button>
      </nav>
    </main>
  );
}
