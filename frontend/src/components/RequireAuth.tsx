import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useAuthenticated } from '../api/ApiContext';

/** Renders its children for signed-in users; sends everyone else to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const authenticated = useAuthenticated();
  const location = useLocation();
  if (!authenticated) {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return children;
}
