import { Link, Outlet } from 'react-router-dom';
import { useApi } from '../api/ApiContext';
import type { Role } from '../api/types';
import { useSignedInUser } from '../hooks/useSignedInUser';

const ROLE_NAMES: Record<Role, string> = { viewer: 'Viewer', operator: 'Operator', admin: 'Admin' };

/** The signed-in user's name and role; nothing until they are known. */
function SignedInAs() {
  const user = useSignedInUser();
  if (user.status !== 'ready') return null;
  const { username, role } = user.me;
  return (
    <span className="app-user muted-inline" data-testid="signed-in-user">
      {username}{' '}
      <span className="tag" data-testid="signed-in-role" data-role={role}>
        {ROLE_NAMES[role]}
      </span>
    </span>
  );
}

/** Header with the app name, who is signed in and the sign-out button, above the page. */
export function AppLayout() {
  const client = useApi();
  return (
    <div className="app">
      <header className="app-header">
        <Link to="/" className="app-title">
          VMS
        </Link>
        <nav aria-label="Main">
          <Link to="/">Cameras</Link>
        </nav>
        <SignedInAs />
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            client.signOut();
          }}
        >
          Sign out
        </button>
      </header>
      <main className="app-main" id="main">
        <Outlet />
      </main>
    </div>
  );
}
