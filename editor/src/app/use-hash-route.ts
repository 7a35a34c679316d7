import { useEffect, useState } from 'react';
import { routeOfHash } from './routes.js';

/** The current hash route; a hash router needs no server rewrite and no router dependency. */
export function useHashRoute(): string {
  const [route, setRoute] = useState(() => routeOfHash(window.location.hash));
  useEffect(() => {
    const update = (): void => setRoute(routeOfHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(path: string): void {
  window.location.hash = path;
}
