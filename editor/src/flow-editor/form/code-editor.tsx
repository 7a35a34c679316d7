import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { Compartment, StateEffect, StateField, type Extension, RangeSet } from '@codemirror/state';
import { Decoration, GutterMarker, gutter, type DecorationSet } from '@codemirror/view';

/** The page's CSP nonce (the server templates it into index.html); CodeMirror puts it on its <style>. */
function cspNonce(): string | undefined {
  const meta = typeof document === 'undefined' ? null : document.querySelector('meta[name="csp-nonce"]');
  return meta?.getAttribute('content') ?? undefined;
}

const setErrorLine = StateEffect.define<number | undefined>();

class ErrorMarker extends GutterMarker {
  override toDOM(): Node {
    const span = document.createElement('span');
    span.className = 'fe-code-error-marker';
    span.textContent = '●';
    return span;
  }
}

/** Highlights the line a deploy error names (1-based), with a marker in the gutter. */
const errorLineField = StateField.define<{ line: number | undefined; decorations: DecorationSet }>({
  create: () => ({ line: undefined, decorations: Decoration.none }),
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLine)) continue;
      const line = effect.value;
      if (line === undefined || line < 1 || line > tr.state.doc.lines) return { line: undefined, decorations: Decoration.none };
      const from = tr.state.doc.line(line).from;
      return { line, decorations: Decoration.set([Decoration.line({ class: 'fe-code-error-line' }).range(from)]) };
    }
    return value;
  },
  provide: (field) => EditorView.decorations.from(field, (v) => v.decorations),
});

const errorGutter = gutter({
  class: 'fe-code-error-gutter',
  markers: (view) => {
    const { line } = view.state.field(errorLineField);
    if (line === undefined || line > view.state.doc.lines) return RangeSet.empty;
    return RangeSet.of([new ErrorMarker().range(view.state.doc.line(line).from)]);
  },
});

export interface CodeEditorProps {
  value: string;
  language: 'javascript' | 'python' | 'text';
  label: string;
  onChange(value: string): void;
  /** 1-based line of a deploy error in this code, if any. */
  errorLine?: number | undefined;
}

/** CodeMirror 6 for function code: highlighting, and the deploy error's line marked. */
export function CodeEditor({ value, language, label, onChange, errorLine }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const languageExtension: Extension = language === 'javascript' ? javascript() : language === 'python' ? python() : [];
    const nonce = cspNonce();
    const editor = new EditorView({
      doc: value,
      parent: host.current,
      extensions: [
        basicSetup,
        new Compartment().of(languageExtension),
        errorLineField,
        errorGutter,
        EditorView.contentAttributes.of({ 'aria-label': label }),
        ...(nonce ? [EditorView.cspNonce.of(nonce)] : []),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChangeRef.current(update.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once per mount; later value changes come from typing in it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language, label]);

  useEffect(() => {
    view.current?.dispatch({ effects: setErrorLine.of(errorLine) });
  }, [errorLine]);

  return <div className="fe-code" ref={host} data-testid={`code-${label}`} />;
}
