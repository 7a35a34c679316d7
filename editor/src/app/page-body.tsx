import { FlowEditorPage } from '../flow-editor/index.js';
import { signDeploy } from '../signing/index.js';
import { AccountPage } from '../pages/account-page.js';
import { AlertsPage } from '../pages/alerts-page.js';
import { AuditPage } from '../pages/admin/audit-page.js';
import { CertificatesPage } from '../pages/admin/certificates-page.js';
import { SettingsPage } from '../pages/admin/settings-page.js';
import { SigningKeysPage } from '../pages/admin/signing-keys-page.js';
import { TokensPage } from '../pages/admin/tokens-page.js';
import { UsersPage } from '../pages/admin/users-page.js';
import { PAGE_ROUTES } from './routes.js';
import { useSession } from './session-context.js';

/** The page for a route, or a plain refusal when the role may not open it. */
export function PageBody({ route }: { route: string }) {
  const session = useSession();
  const page = PAGE_ROUTES.find((r) => r.path === route);
  if (page && !session.me.permissions.includes(page.permission)) {
    return (
      <main className="page">
        <p role="alert">Your role ({session.me.user.role}) may not open {page.label}.</p>
      </main>
    );
  }
  // Deploys are signed with this browser's key for the signed-in user (Admin → Signing keys).
  const flowsPage = <FlowEditorPage api={session.api} live={session.live} me={session.me} sign={(flows, meta) => signDeploy(flows, meta, session.me.user.username)} />;
  switch (route) {
    case '/flows':
      return flowsPage;
    case '/alerts':
      return <AlertsPage />;
    case '/account':
      return <AccountPage />;
    case '/admin/users':
      return <UsersPage />;
    case '/admin/tokens':
      return <TokensPage />;
    case '/admin/signing-keys':
      return <SigningKeysPage />;
    case '/admin/certificates':
      return <CertificatesPage />;
    case '/admin/audit':
      return <AuditPage />;
    case '/admin/settings':
      return <SettingsPage />;
    default:
      return flowsPage;
  }
}
