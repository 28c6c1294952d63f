import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { ApiClient } from './api/client';
import { WebStorageTokenStore } from './api/tokens';
import './styles.css';

const client = new ApiClient({
  fetch: (input, init) => window.fetch(input, init),
  tokens: new WebStorageTokenStore(window.sessionStorage),
  openSocket: (url) => new WebSocket(url),
});

const root = document.getElementById('root');
if (root === null) throw new Error('Missing #root element');

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App client={client} />
    </BrowserRouter>
  </StrictMode>,
);
