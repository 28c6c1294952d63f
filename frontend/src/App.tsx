import { Route, Routes } from 'react-router-dom';
import { ApiProvider } from './api/ApiContext';
import type { ApiClient } from './api/client';
import { AppLayout } from './components/AppLayout';
import { RequireAuth } from './components/RequireAuth';
import { CameraListPage } from './pages/CameraListPage';
import { CameraPage } from './pages/CameraPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';

/** Routes of the app; the router itself is supplied by the caller. */
export function App({ client }: { client: ApiClient }) {
  return (
    <ApiProvider client={client}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireAuth>
              <AppLayout />
            </RequireAuth>
          }
        >
          <Route index element={<CameraListPage />} />
          <Route path="cameras/:id" element={<CameraPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </ApiProvider>
  );
}
