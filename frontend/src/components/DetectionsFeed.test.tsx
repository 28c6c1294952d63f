import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { Camera, Detection } from '../api/types';
import { detection } from '../test/detections';
import { apiError, fakeFetch, json } from '../test/fakeFetch';
import { fakeSockets } from '../test/fakeSocket';
import { CAMERA_ID } from '../test/fixtures';
import { renderApp } from '../test/render';

const cameras: Camera[] = [
  { id: CAMERA_ID, name: 'Front gate', enabled: true, last_segment_end: null },
  { id: 'cam-2', name: 'Loading dock', enabled: true, last_segment_end: null },
];

function setup(stored: Detection[]) {
  const fetch = fakeFetch((request) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/api/cameras/') return json(200, cameras);
    if (url.pathname === '/api/detections') {
      const since = Number(url.searchParams.get('since') ?? '0');
      const results = stored.filter((d) => d.id > since);
      return json(200, { results, next_since: results.at(-1)?.id ?? since });
    }
    return json(404, apiError('Not found.', 'not_found'));
  });
  const sockets = fakeSockets();
  const client = new ApiClient({
    fetch,
    tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }),
    openSocket: sockets,
  });
  return { fetch, sockets, client };
}

function items(): HTMLElement[] {
  return screen.queryAllByTestId('detection-item');
}

describe('DetectionsFeed on the dashboard', () => {
  it('lists what was stored, then what is pushed, newest first, with camera and findings', async () => {
    const { client, sockets } = setup([detection(1)]);
    renderApp(client, '/');
    await screen.findAllByTestId('camera-card');
    expect(screen.getByTestId('feed-state')).toHaveTextContent('Connecting…');

    act(() => {
      sockets.last().accept();
    });
    await waitFor(() => {
      expect(screen.getByTestId('feed-state')).toHaveTextContent('Live');
    });
    expect(items()).toHaveLength(1);

    act(() => {
      sockets.last().push({
        type: 'detection',
        detection: detection(2, {
          camera_id: 'cam-2',
          labels: [{ name: 'car', confidence: 0.804, box: null }],
          faces: [{ confidence: 0.88, box: { left: 0.4, top: 0.1, width: 0.1, height: 0.1 } }],
        }),
      });
    });

    const [newest, oldest] = items() as [HTMLElement, HTMLElement];
    expect(items()).toHaveLength(2);
    expect(newest).toHaveAttribute('data-id', '2');
    expect(within(newest).getByRole('link', { name: 'Loading dock' })).toHaveAttribute('href', '/cameras/cam-2');
    expect(newest).toHaveTextContent('car 80%, face 88%');
    expect(within(newest).getByRole('time')).toHaveAttribute('dateTime', '2024-05-01T12:00:02.000Z');
    expect(oldest).toHaveAttribute('data-id', '1');
    expect(within(oldest).getByRole('link', { name: 'Front gate' })).toBeInTheDocument();
    expect(oldest).toHaveTextContent('person 91%');
  });

  it('shows that it is reconnecting when the connection drops, and keeps what it had', async () => {
    const { client, sockets } = setup([detection(1)]);
    renderApp(client, '/');
    act(() => {
      sockets.last().accept();
    });
    await waitFor(() => {
      expect(screen.getByTestId('feed-state')).toHaveTextContent('Live');
    });

    act(() => {
      sockets.last().serverClose(1006);
    });

    expect(screen.getByTestId('feed-state')).toHaveTextContent('Reconnecting…');
    expect(items()).toHaveLength(1);
  });

  it('says so when there is nothing yet', async () => {
    const { client, sockets } = setup([]);
    renderApp(client, '/');
    act(() => {
      sockets.last().accept();
    });
    await waitFor(() => {
      expect(screen.getByTestId('feed-state')).toHaveTextContent('Live');
    });
    expect(screen.getByText('No detections yet.')).toBeInTheDocument();
  });
});
