import { Component, lazy, Suspense, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { FlowItem } from '@loopedge/flows';
import type { ApiClient } from '../../api/api-client.js';
import { errorMessage } from '../../api/api-error.js';
import { addNode, outputCountOf, setOutputCount, updateNode, type NodeTypeInfo, type NodeTypeLookup } from '../model/index.js';
import type { FlowEditorStore } from '../state/editor-store.js';
// CodeMirror is loaded after the canvas (it is half the bundle): when a node is first selected, or when a code field shows.
let codeEditorModule: Promise<typeof import('./code-editor.js')> | undefined;
export function preloadCodeEditor(): Promise<typeof import('./code-editor.js')> {
  codeEditorModule ??= import('./code-editor.js').catch((error: unknown) => {
    codeEditorModule = undefined; // a failed download is retried next time
    throw error;
  });
  return codeEditorModule;
}
const CodeEditor = lazy(() => preloadCodeEditor().then((module) => ({ default: module.CodeEditor })));

/** If the code editor cannot be loaded (network), the code is still editable as plain text. */
class CodeEditorBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
import { errorLineOf, formFields, type FormField } from './form-fields.js';
import { TypedInput } from './typed-input.js';
import { RuleBuilder } from './rule-builder.js';
import { SwitchRulesWidget } from './switch-rules-widget.js';
import { ChangeRulesWidget } from './change-rules-widget.js';
import { InjectPropsWidget, InjectScheduleWidget } from './inject-widgets.js';
import { ConfigNodeListWidget, NodeListWidget } from './node-list-widgets.js';

export interface PropertyFormProps {
  store: FlowEditorStore;
  api: ApiClient;
  item: FlowItem;
  info: NodeTypeInfo | undefined;
  lookup: NodeTypeLookup;
  readOnly: boolean;
  /** The last deploy error on this node, to mark the line in its code. */
  deployError?: string | undefined;
  onEditNode(id: string): void;
  onClose(): void;
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value, null, 2);
}

/**
 * The property form of one node, generated from its type's schema: edits are
 * kept in a draft and applied as one undoable edit. Credentials are write-only:
 * the form shows which are set and sends only what was typed.
 */
export function PropertyForm({ store, api, item, info, lookup, readOnly, deployError, onEditNode, onClose }: PropertyFormProps) {
  const [draft, setDraft] = useState<Record<string, unknown>>(item);
  const [jsonErrors, setJsonErrors] = useState<Record<string, string>>({});
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [credentialsSet, setCredentialsSet] = useState<string[]>([]);
  const [notice, setNotice] = useState('');
  const credentialFields = Object.keys(info?.credentials?.properties ?? {});

  useEffect(() => {
    setDraft(item);
    setJsonErrors({});
    setCredentials({});
    setNotice('');
  }, [item]);

  useEffect(() => {
    if (credentialFields.length === 0) return;
    let cancelled = false;
    api.get<{ fieldsSet: string[] }>(`/api/credentials/${encodeURIComponent(item.id)}`).then(
      (answer) => !cancelled && setCredentialsSet(answer.fieldsSet),
      () => !cancelled && setCredentialsSet([]),
    );
    return () => {
      cancelled = true;
    };
    // Re-read only when another node is opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [item.id]);

  const set = (name: string, value: unknown) => setDraft((d) => ({ ...d, [name]: value }));

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    if (Object.keys(jsonErrors).length > 0) return;
    const changed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(draft)) if (value !== item[key]) changed[key] = value;
    if (Object.keys(changed).length > 0) {
      store.edit((doc) => {
        let next = updateNode(doc, item.id, changed);
        const updated = next.find((i) => i.id === item.id)!;
        const ports = outputCountOf(updated, next, lookup);
        if (Array.isArray(updated['wires']) && ports !== (updated['wires'] as unknown[]).length) next = setOutputCount(next, item.id, ports);
        return next;
      }, `edit ${item.type}`);
    }
    const typed = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== ''));
    if (Object.keys(typed).length > 0) {
      try {
        const answer = await api.put<{ fieldsSet: string[] }>(`/api/credentials/${encodeURIComponent(item.id)}`, { values: typed });
        setCredentialsSet(answer.fieldsSet);
        setCredentials({});
      } catch (error) {
        setNotice(`Credentials not saved: ${errorMessage(error)}`);
        return;
      }
    }
    onClose();
  };

  const fields = formFields(info, item);
  return (
    <form className="fe-form" onSubmit={(e) => void apply(e)} aria-label={`Properties of ${item.type} node`}>
      <h2 className="fe-form-title">
        {item.type} <span className="fe-muted">{item.id}</span>
      </h2>
      {deployError && (
        <p className="fe-form-error" role="alert">
          {deployError}
        </p>
      )}
      <fieldset disabled={readOnly}>
        {fields.map((field) => (
          <FieldRow key={field.name} field={field} draft={draft} set={set} store={store} item={item} lookup={lookup} deployError={deployError} jsonError={jsonErrors[field.name]} setJsonError={(message) => setJsonErrors((e) => {
            const next = { ...e };
            if (message) next[field.name] = message;
            else delete next[field.name];
            return next;
          })} onEditNode={onEditNode} />
        ))}
        {credentialFields.map((name) => (
          <div className="fe-field" key={`cred-${name}`}>
            <label htmlFor={`cred-${name}`}>{name}</label>
            <input
              id={`cred-${name}`}
              type="password"
              autoComplete="new-password"
              placeholder={credentialsSet.includes(name) ? '(set — type to replace)' : '(not set)'}
              value={credentials[name] ?? ''}
              onChange={(e) => setCredentials((c) => ({ ...c, [name]: e.target.value }))}
            />
          </div>
        ))}
      </fieldset>
      {notice && <p role="alert">{notice}</p>}
      <div className="fe-form-actions">
        <button type="submit" disabled={readOnly || Object.keys(jsonErrors).length > 0}>
          Apply
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

interface FieldRowProps {
  field: FormField;
  draft: Record<string, unknown>;
  set(name: string, value: unknown): void;
  store: FlowEditorStore;
  item: FlowItem;
  lookup: NodeTypeLookup;
  deployError: string | undefined;
  jsonError: string | undefined;
  setJsonError(message: string | undefined): void;
  onEditNode(id: string): void;
}

function FieldRow({ field, draft, set, store, item, lookup, deployError, jsonError, setJsonError, onEditNode }: FieldRowProps) {
  const id = `prop-${field.name}`;
  const value = draft[field.name];
  const { widget } = field;
  let control;
  switch (widget.kind) {
    case 'checkbox':
      control = <input id={id} type="checkbox" checked={value === true || value === 'true'} onChange={(e) => set(field.name, e.target.checked)} />;
      break;
    case 'number':
      // Node-RED stores numbers typed in forms as strings; the schema accepts both.
      control = <input id={id} inputMode="decimal" value={toText(value)} onChange={(e) => set(field.name, e.target.value)} />;
      break;
    case 'select':
      control = (
        <select id={id} value={toText(value)} onChange={(e) => set(field.name, e.target.value)}>
          {widget.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'code':
      control = (
        <CodeEditorBoundary fallback={<textarea id={id} rows={8} value={toText(value)} onChange={(e) => set(field.name, e.target.value)} />}>
          <Suspense fallback={<textarea id={id} rows={6} readOnly value={toText(value)} aria-label={`${field.name} (loading the code editor)`} />}>
            <CodeEditor value={toText(value)} language={widget.language} label={field.name} onChange={(text) => set(field.name, text)} errorLine={field.name === 'func' ? errorLineOf(deployError) : undefined} />
          </Suspense>
        </CodeEditorBoundary>
      );
      break;
    case 'typed':
      control = <TypedInput id={id} label={field.name} value={toText(value)} type={toText(draft[widget.typeField]) || 'str'} onChange={(v, t) => { set(field.name, v); set(widget.typeField, t); }} />;
      break;
    case 'msg-property':
      control = <TypedInput id={id} label={field.name} value={toText(value)} type="msg" types={['msg']} onChange={(v) => set(field.name, v)} />;
      break;
    case 'config':
      control = <ConfigSelect id={id} configType={widget.configType} value={toText(value)} store={store} lookup={lookup} onChange={(v) => set(field.name, v)} onEditNode={onEditNode} />;
      break;
    case 'rules': {
      const facts = Array.isArray(draft['facts']) ? (draft['facts'] as Array<{ name?: unknown }>).map((f) => String(f.name ?? '')).filter(Boolean) : [];
      control = (
        <RuleBuilder
          id={id}
          value={value}
          facts={['msg', ...facts]}
          onChange={(rules) => {
            set(field.name, rules);
            // In ports mode the node has one output per rule: keep `outputs` (and so the ports) in step.
            if (draft['outputMode'] !== 'events') set('outputs', rules.length);
          }}
        />
      );
      break;
    }
    case 'switch-rules':
      control = <SwitchRulesWidget id={id} draft={draft} set={set} />;
      break;
    case 'change-rules':
      control = <ChangeRulesWidget id={id} value={value} legacy={draft} onChange={(rules) => set(field.name, rules)} />;
      break;
    case 'inject-props':
      control = <InjectPropsWidget id={id} draft={draft} set={set} />;
      break;
    case 'inject-schedule':
      control = <InjectScheduleWidget id={id} draft={draft} set={set} />;
      break;
    case 'node-list':
      control = <NodeListWidget id={id} item={item} value={value} listOnly={widget.listOnly} store={store} lookup={lookup} onChange={(scope) => set(field.name, scope)} />;
      break;
    case 'config-list':
      control = <ConfigNodeListWidget id={id} family={widget.family} value={value} store={store} lookup={lookup} onChange={(ids) => set(field.name, ids)} onEditNode={onEditNode} />;
      break;
    case 'json':
      control = (
        <textarea
          id={id}
          rows={4}
          defaultValue={toText(value)}
          aria-invalid={jsonError ? true : undefined}
          onChange={(e) => {
            try {
              set(field.name, JSON.parse(e.target.value));
              setJsonError(undefined);
            } catch {
              setJsonError('not valid JSON');
            }
          }}
        />
      );
      break;
    default:
      control = <input id={id} value={toText(value)} onChange={(e) => set(field.name, e.target.value)} />;
  }
  return (
    <div className={`fe-field fe-field-${widget.kind}`} data-field={field.name} data-node={item.id}>
      <label htmlFor={id} title={field.description}>
        {field.label}
      </label>
      {control}
      {jsonError && <span className="fe-field-error">{jsonError}</span>}
      {field.description && <small className="fe-muted">{field.description}</small>}
    </div>
  );
}

interface ConfigSelectProps {
  id: string;
  configType: string;
  value: string;
  store: FlowEditorStore;
  lookup: NodeTypeLookup;
  onChange(value: string): void;
  onEditNode(id: string): void;
}

/** Picks a config node of one type, or adds a new one in place (with its defaults) and opens it. */
function ConfigSelect({ id, configType, value, store, lookup, onChange, onEditNode }: ConfigSelectProps) {
  const candidates = store.doc.filter((i) => i.type === configType);
  const labelOf = (i: FlowItem): string => (typeof i['name'] === 'string' && i['name'] ? i['name'] : `${configType} ${i.id}`);
  const addNew = () => {
    const info = lookup(configType);
    let newId = '';
    store.edit((doc) => {
      const added = addNode(doc, { type: configType, z: '', x: 0, y: 0, ...(info ? { info: { ...info, configNode: true } } : {}) });
      newId = added.id;
      return added.doc;
    }, `add ${configType}`);
    onChange(newId);
  };
  return (
    <div className="fe-config-select">
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(none)</option>
        {candidates.map((c) => (
          <option key={c.id} value={c.id}>
            {labelOf(c)}
          </option>
        ))}
        {value && !candidates.some((c) => c.id === value) && <option value={value}>missing: {value}</option>}
      </select>
      <button type="button" onClick={addNew} aria-label={`Add new ${configType}`}>
        Add new…
      </button>
      {value && candidates.some((c) => c.id === value) && (
        <button type="button" onClick={() => onEditNode(value)} aria-label={`Edit ${configType}`}>
          Edit
        </button>
      )}
    </div>
  );
}
