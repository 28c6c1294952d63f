import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import { apiError, fakeFetch, json } from '../test/fakeFetch';
import { renderApp } from '../test/render';

describe('LoginPage', () => {
  it('shows the API error message when sign-in fails', async () => {
    const fetch = fakeFetch(() =>
      json(401, apiError('Invalid username or password.', 'invalid_credentials')),
    );
    const tokens = new MemoryTokenStore();
    renderApp(new ApiClient({ fetch, tokens }), '/login');
    const user = userEvent.setup();

    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid username or password.');
    expect(fetch.requests[0]?.body).toEqual({ username: 'alice', password: 'wrong' });
    expect(tokens.load()).toBeNull();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    expect(screen.getByLabelText('Password')).toHaveValue('');
  });

  it('goes to the camera list after signing in', async () => {
    const fetch = fakeFetch((request) =>
      request.url === '/api/auth/login'
        ? json(200, { access: 'a1', refresh: 'r1' })
        : json(200, []),
    );
    renderApp(new ApiClient({ fetch, tokens: new MemoryTokenStore() }), '/login');
    const user = userEvent.setup();

    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 's3cret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Cameras' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/);
  });

  it('sends signed-out visitors to the login page', () => {
    const fetch = fakeFetch(() => json(200, []));
    renderApp(new ApiClient({ fetch, tokens: new MemoryTokenStore() }), '/cameras/abc');

    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    expect(fetch.requests).toHaveLength(0);
  });
});
