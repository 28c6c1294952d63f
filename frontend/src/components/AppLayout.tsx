import { Link, Outlet } from 'react-router-dom';
import { useApi } from '../api/ApiContext';

/** Header with the app name and the sign-out button, above the page. */
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
