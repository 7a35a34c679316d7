/** Node-RED's shortcuts, mapped to editor actions. */
export interface ShortcutActions {
  deploy(): void;
  deleteSelection(): void;
  undo(): void;
  redo(): void;
  selectAll(): void;
  copy(): void;
  cut(): void;
  paste(): void;
  search(): void;
  importFlows(): void;
  exportFlows(): void;
}

/** Inputs, text areas and the code editor keep their own keys (Ctrl+Z in a form is the field's undo). */
function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('.cm-editor') !== null;
}

export function handleShortcut(event: KeyboardEvent, actions: ShortcutActions, canEdit: boolean): boolean {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  // Deploy and search work from anywhere, even inside a field.
  if (mod && key === 'd') return canEdit ? (actions.deploy(), true) : false;
  if (mod && key === 'f') return actions.search(), true;
  if (isTextTarget(event.target) || document.querySelector('.fe-dialog')) return false;
  if (mod && key === 'e') return actions.exportFlows(), true;
  // Text selected on the page (a debug value, help text): Ctrl+C/X copy that text, as the browser does.
  if (mod && (key === 'c' || key === 'x') && (window.getSelection()?.toString() ?? '') !== '') return false;
  if (mod && key === 'c') return actions.copy(), true;
  if (mod && key === 'a') return actions.selectAll(), true;
  if (!canEdit) return false;
  if (key === 'delete' || key === 'backspace') return actions.deleteSelection(), true;
  if (mod && key === 'z' && !event.shiftKey) return actions.undo(), true;
  if ((mod && key === 'y') || (mod && key === 'z' && event.shiftKey)) return actions.redo(), true;
  if (mod && key === 'x') return actions.cut(), true;
  if (mod && key === 'v') return actions.paste(), true;
  if (mod && key === 'i') return actions.importFlows(), true;
  return false;
}
