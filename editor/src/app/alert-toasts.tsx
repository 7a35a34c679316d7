import { useEffect, useState } from 'react';
import type { LiveClient } from '../api/live-client.js';

interface AlertEvent {
  transition?: string;
  alert?: { id?: string; title?: string; severity?: string };
}

interface Toast {
  id: number;
  text: string;
}

const TOAST_MS = 8000;

/** A short notice for each raised alert, from the live `alert` event; the Alerts page has the full list. */
export function AlertToasts({ live }: { live: LiveClient }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    let next = 0;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const off = live.on('alert', (payload) => {
      const event = payload as AlertEvent;
      if (event.transition !== 'raised' || !event.alert) return;
      const toast = { id: ++next, text: `${event.alert.severity ?? 'alert'}: ${event.alert.title ?? 'an alert was raised'}` };
      setToasts((current) => [...current.slice(-4), toast]);
      const timer = setTimeout(() => {
        timers.delete(timer);
        setToasts((current) => current.filter((t) => t.id !== toast.id));
      }, TOAST_MS);
      timers.add(timer);
    });
    return () => {
      off();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [live]);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className="toast">
          {t.text} — <a href="#/alerts">open alerts</a>
        </div>
      ))}
    </div>
  );
}
