import { useState } from 'react';
import { visibleRoutes } from './routes.js';
import { useSession } from './session-context.js';

/** Brand, nav of the pages this user may open, and the user menu. */
export function TopBar({ route }: { route: string }) {
  const session = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const routes = visibleRoutes(session.me.permissions);
  return (
    <header className="top-bar">
      <span className="brand">LoopEdge</span>
      <nav aria-label="Main">
        <ul>
          {routes.map((r) => (
            <li key={r.path} className={r.group}>
              <a href={'#' + r.path} aria-current={route === r.path ? 'page' : undefined}>
                {r.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="user-menu">
        <button type="button" aria-haspopup="menu" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
          {session.me.user.username} ({session.me.user.role})
        </button>
        {menuOpen && (
          <ul role="menu" onKeyDown={(e) => e.key === 'Escape' && setMenuOpen(false)}>
            <li role="none">
              <a role="menuitem" href="#/account" onClick={() => setMenuOpen(false)}>
                Account
              </a>
            </li>
            <li role="none">
              <button role="menuitem" type="button" onClick={() => void session.signOut()}>
                Sign out
              </button>
            </li>
          </ul>
        )}
      </div>
    </header>
  );
}
