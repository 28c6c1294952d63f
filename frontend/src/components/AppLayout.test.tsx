import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { Me } from '../api/types';
import { apiError, fakeFetch, json, type FakeResponse } from '../test/fakeFetch';
import { me } from '../test/me';
import { renderApp } from '../test/render';

/** A signed-in client whose `/api/me` answers `answer`, with no cameras; logins give tokens. */
function signedIn(answer: () => FakeResponse, tokens = new MemoryTokenStore({ access: 'a', refresh: 'r' })) {
  const fetch = fakeFetch((request) => {
    if (request.url === '/api/me') return answer();
    if (request.url === '/api/auth/login') return json(200, { access: 'a2', refresh: 'r2' });
    return json(200, []);
  });
  return { fetch, client: new ApiClient({ fetch, tokens }) };
}

function header(): HTMLElement {
  return screen.getByRole('banner');
}

describe('AppLayout', () => {
  it('shows who is signed in and their role', async () => {
    const { fetch, client } = signedIn(() => json(200, me('operator', 'carol')));
    renderApp(client, '/');

    const user = await within(header()).findByTestId('signed-in-user');
    expect(user).toHaveTextContent('carol');
    expect(within(user).getByTestId('signed-in-role')).toHaveTextContent('Operator');
    expect(fetch.requests.filter((r) => r.url === '/api/me')).toHaveLength(1);
  });

  it('shows the new user after signing out and in again', async () => {
    let current: Me = me('admin', 'dave');
    const { client } = signedIn(() => json(200, current));
    renderApp(client, '/');
    expect(await within(header()).findByTestId('signed-in-role')).toHaveTextContent('Admin');
    const user = userEvent.setup();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    current = me('viewer', 'erin');
    await user.type(screen.getByLabelText('Username'), 'erin');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const banner = await screen.findByRole('banner');
    expect(await within(banner).findByTestId('signed-in-role')).toHaveTextContent('Viewer');
    expect(within(banner).getByTestId('signed-in-user')).toHaveTextContent('erin');
    expect(banner).not.toHaveTextContent('dave');
  });

  it('shows the page without a user when who is signed in cannot be fetched', async () => {
    const { fetch, client } = signedIn(() => json(503, apiError('Database unavailable.', 'server_error')));
    renderApp(client, '/');

    expect(await screen.findByRole('heading', { name: 'Cameras' })).toBeInTheDocument();
    await expect.poll(() => fetch.requests.some((r) => r.url === '/api/me')).toBe(true);
    expect(within(header()).queryByTestId('signed-in-user')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(within(header()).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });
});
