import { createContext } from 'react';
import { StatusStore } from '../state/status-store.js';

export interface CanvasContextValue {
  statuses: StatusStore;
  /** A link node under the pointer (its virtual wires are drawn), or undefined. */
  onHoverLink(id: string | undefined): void;
  /** Fire a deployed inject node (its button); absent when the user may not (viewers, read-only). */
  onInject?: ((id: string) => Promise<void>) | undefined;
}

export const CanvasContext = createContext<CanvasContextValue>({ statuses: new StatusStore(), onHoverLink: () => undefined });
