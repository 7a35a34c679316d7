import type { ApiClient } from '../api/api-client.js';
import type { LiveClient } from '../api/live-client.js';
import { DebugSidebar } from './debug/debug-sidebar.js';
import { PropertyForm } from './form/property-form.js';
import { HelpPanel } from './help/help-panel.js';
import type { NodeTypeLookup } from './model/index.js';
import type { EditorState, FlowEditorStore } from './state/editor-store.js';

export type SidebarTab = 'properties' | 'help' | 'debug';

export interface SidebarProps {
  tab: SidebarTab;
  setTab(tab: SidebarTab): void;
  api: ApiClient;
  live: LiveClient;
  store: FlowEditorStore;
  state: EditorState;
  lookup: NodeTypeLookup;
  editingId: string | undefined;
  canEdit: boolean;
  canDebug: boolean;
  onEditNode(id: string): void;
  onCloseForm(): void;
  onReveal(id: string): void;
  labelOf(id: string): string;
}

const LABELS: Record<SidebarTab, string> = { properties: 'Properties', help: 'Help', debug: 'Debug' };

/** Right-hand sidebar; the debug list stays mounted (hidden) so messages keep arriving while another tab shows. */
export function Sidebar(props: SidebarProps) {
  const { tab, state, store } = props;
  const item = props.editingId ? state.history.present.find((i) => i.id === props.editingId) : undefined;
  const tabs: SidebarTab[] = props.canDebug ? ['properties', 'help', 'debug'] : ['properties', 'help'];
  return (
    <aside className="fe-sidebar" aria-label="Sidebar">
      <div role="tablist" aria-label="Sidebar" className="fe-sidebar-tabs">
        {tabs.map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => props.setTab(t)}>
            {LABELS[t]}
          </button>
        ))}
      </div>
      <div className="fe-sidebar-body" hidden={tab !== 'properties'} role="tabpanel" aria-label="Properties">
        {item ? (
          <PropertyForm
            key={item.id}
            store={store}
            api={props.api}
            item={item}
            info={props.lookup(item.type)}
            lookup={props.lookup}
            readOnly={!props.canEdit}
            deployError={state.nodeErrors.get(item.id)}
            onEditNode={props.onEditNode}
            onClose={props.onCloseForm}
          />
        ) : (
          <p className="fe-muted">Double-click a node (or select one) to edit its properties.</p>
        )}
      </div>
      <div className="fe-sidebar-body" hidden={tab !== 'help'} role="tabpanel" aria-label="Help">
        {tab === 'help' && <HelpPanel api={props.api} type={item?.type} />}
      </div>
      {props.canDebug && (
        <div className="fe-sidebar-body" hidden={tab !== 'debug'} role="tabpanel" aria-label="Debug">
          <DebugSidebar live={props.live} activeTab={state.activeTab} selectedNode={state.selection.size === 1 ? [...state.selection][0] : undefined} onRevealNode={props.onReveal} labelOf={props.labelOf} />
        </div>
      )}
    </aside>
  );
}
