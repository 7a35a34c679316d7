import { useState, type FormEvent } from 'react';
import { useCan, useSession } from '../../app/session-context.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorText } from '../../components/error-text.js';
import { formatTime } from '../../components/format.js';
import { useAction, useLoader } from '../../components/use-loader.js';
import type { CertificateInfo } from '@loopedge/security';

/** The HTTPS certificates of this device: list, add one with its key, choose which one serves. */
export function CertificatesPage() {
  const { api } = useSession();
  const canWrite = useCan('certificates:write');
  const certificates = useLoader(() => api.get<{ certificates: CertificateInfo[] }>('/api/certificates').then((r) => r.certificates), [api]);
  const action = useAction();
  async function activate(certificate: CertificateInfo): Promise<void> {
    if (!window.confirm(`Serve HTTPS with "${certificate.subject}" from the next connection on?`)) return;
    if (await action.run(() => api.post(`/api/certificates/${encodeURIComponent(certificate.id)}/activate`))) await certificates.reload();
  }
  return (
    <main className="page">
      <h1>Certificates</h1>
      <p>
        Browsers and clients trust this device through its CA certificate: <a href="/api/certificates/ca" download="loopedge-ca.pem">download the device CA</a>.
      </p>
      <ErrorText message={certificates.error ?? action.error} />
      <DataTable
        caption="Server certificates"
        rows={certificates.data ?? []}
        rowKey={(c) => c.id}
        empty={certificates.loading ? 'Loading…' : 'No certificates.'}
        columns={[
          { header: 'Subject', cell: (c) => c.subject },
          { header: 'Names', cell: (c) => c.subjectAltNames.join(', ') },
          { header: 'Issuer', cell: (c) => c.issuer },
          { header: 'Valid until', cell: (c) => formatTime(c.notAfter) },
          { header: 'Source', cell: (c) => c.source },
          { header: 'SHA-256', cell: (c) => <code className="kid">{c.fingerprint256}</code> },
          {
            header: 'In use',
            cell: (c) =>
              c.active ? (
                <span className="badge ok">serving HTTPS</span>
              ) : canWrite ? (
                <button type="button" onClick={() => void activate(c)} disabled={action.busy}>
                  Use for HTTPS
                </button>
              ) : null,
          },
        ]}
      />
      {canWrite && <AddCertificateForm onAdded={() => void certificates.reload()} />}
    </main>
  );
}

function AddCertificateForm({ onAdded }: { onAdded(): void }) {
  const { api } = useSession();
  const [certPem, setCertPem] = useState('');
  const [keyPem, setKeyPem] = useState('');
  const [chainPem, setChainPem] = useState('');
  const action = useAction();
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const body: Record<string, string> = { certPem, keyPem };
    if (chainPem.trim()) body.chainPem = chainPem;
    if (await action.run(() => api.post('/api/certificates', body))) {
      setCertPem('');
      setKeyPem('');
      setChainPem('');
      onAdded();
    }
  }
  return (
    <section aria-labelledby="add-cert-title">
      <h2 id="add-cert-title">Add a certificate</h2>
      <form onSubmit={(e) => void submit(e)} className="narrow-form wide-form">
        <PemField id="cert-pem" label="Certificate (PEM)" value={certPem} onChange={setCertPem} required />
        <PemField id="key-pem" label="Private key (PEM; encrypted at rest, never shown again)" value={keyPem} onChange={setKeyPem} required />
        <PemField id="chain-pem" label="Intermediate chain (PEM, optional)" value={chainPem} onChange={setChainPem} />
        <ErrorText message={action.error} />
        <button type="submit" disabled={action.busy}>
          Add certificate
        </button>
      </form>
    </section>
  );
}

function PemField({ id, label, value, onChange, required }: { id: string; label: string; value: string; onChange(value: string): void; required?: boolean }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={5} value={value} onChange={(e) => onChange(e.target.value)} required={required} spellCheck={false} autoComplete="off" />
    </div>
  );
}
