import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { Camera } from '../api/types';
import { apiError, fakeFetch, json } from '../test/fakeFetch';
import { renderApp } from '../test/render';

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

const cameras: Camera[] = [
  { id: 'cam-1', name: 'Front gate', enabled: true, last_segment_end: ago(60_000) },
  { id: 'cam-2', name: 'Loading dock', enabled: true, last_segment_end: ago(10 * 60_000) },
  { id: 'cam-3', name: 'Lobby', enabled: false, last_segment_end: null },
];

function signedIn(responder: Parameters<typeof fakeFetch>[0]) {
  const fetch = fakeFetch(responder);
  const tokens = new MemoryTokenStore({ access: 'a', refresh: 'r' });
  return { fetch, tokens, client: new ApiClient({ fetch, tokens }) };
}

describe('CameraListPage', () => {
  it('shows each camera as a card linking to its page, with recording freshness', async () => {
    const { client } = signedIn(() => json(200, cameras));
    renderApp(client, '/');

    const cards = await screen.findAllByTestId('camera-card');
    expect(cards).toHaveLength(3);
    const [gate, dock, lobby] = cards as [HTMLElement, HTMLElement, HTMLElement];

    expect(gate).toHaveAttribute('href', '/cameras/cam-1');
    expect(within(gate).getByRole('heading')).toHaveTextContent('Front gate');
    expect(within(gate).getByText('Recording')).toBeInTheDocument();
    expect(gate).not.toHaveTextContent('No recent recording');
    expect(within(gate).getByRole('time')).toHaveAttribute('title', cameras[0]?.last_segment_end);

    expect(within(dock).getByText('No recent recording')).toBeInTheDocument();
    expect(within(dock).queryByText('Recording')).toBeNull();
    expect(lobby).toHaveTextContent('No recent recording');
    expect(lobby).toHaveTextContent('Last recording: never');
  });

  it('shows API errors', async () => {
    const { client } = signedIn(() => json(500, apiError('Database unavailable.', 'server_error')));
    renderApp(client, '/');

    expect(await screen.findByRole('alert')).toHaveTextContent('Database unavailable.');
  });

  it('signs out', async () => {
    const { client, tokens } = signedIn(() => json(200, cameras));
    renderApp(client, '/');
    await screen.findAllByTestId('camera-card');

    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));

    expect(tokens.load()).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
  });

  it('goes to the login page when the session cannot be refreshed', async () => {
    const { client, tokens } = signedIn(() => json(401, apiError('Expired', 'token_not_valid')));
    renderApp(client, '/');

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(tokens.load()).toBeNull();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
  });
});
