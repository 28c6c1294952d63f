import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { ApiProvider } from '../api/ApiContext';
import { ApiClient, type SocketFactory } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { Camera, PlaybackRange } from '../api/types';
import { signedInUserOf } from '../hooks/signedInUser';
import { apiError, fakeFetch, json, type FakeResponse, type RecordedRequest } from '../test/fakeFetch';
import { fakeEngine, fragments } from '../test/fakeEngine';
import { detection } from '../test/detections';
import { fakeSockets } from '../test/fakeSocket';
import { CAMERA_ID, range, segment } from '../test/fixtures';
import { me } from '../test/me';
import { CameraPage } from './CameraPage';

const camera: Camera = {
  id: CAMERA_ID,
  name: 'Front gate',
  enabled: true,
  last_segment_end: '2024-05-01T12:05:00Z',
};
const NOW = new Date('2024-05-01T12:05:00Z');
const fixedNow = () => NOW;

// 12:00-12:01, 12:01-12:02, corrupt 12:02-12:03 (not in the playlist), 12:03-12:04.
const a = segment(1, 0);
const b = segment(2, 60);
const broken = segment(3, 120, 60, 'corrupt');
const c = segment(4, 180);
const playlist = fragments(
  ['2024-05-01T12:00:00Z', 60],
  ['2024-05-01T12:01:00Z', 60],
  ['2024-05-01T12:03:00Z', 60],
);

/** `GET /api/me`'s answer; not found unless a test says. */
type MeAnswer = () => FakeResponse | Promise<FakeResponse>;

function setup(
  playback: (request: RecordedRequest) => PlaybackRange | null,
  openSocket?: SocketFactory,
  meAnswer?: MeAnswer,
) {
  const fetch = fakeFetch((request) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/api/me' && meAnswer !== undefined) return meAnswer();
    if (url.pathname === `/api/cameras/${CAMERA_ID}/`) return json(200, camera);
    if (url.pathname === `/api/playback/${CAMERA_ID}/timeline`) {
      return json(200, {
        camera_id: CAMERA_ID,
        start: url.searchParams.get('start'),
        end: url.searchParams.get('end'),
        bucket_s: Number(url.searchParams.get('bucket')),
        buckets: [],
      });
    }
    if (url.pathname === `/api/playback/${CAMERA_ID}`) {
      const body = playback(request);
      return body === null ? json(400, apiError('Bad range.', 'invalid_range')) : json(200, body);
    }
    if (url.pathname === '/api/detections') return json(200, { results: [], next_since: null });
    return json(404, apiError('Not found.', 'not_found'));
  });
  const tokens = new MemoryTokenStore({ access: 'a', refresh: 'r' });
  const client = new ApiClient(openSocket === undefined ? { fetch, tokens } : { fetch, tokens, openSocket });
  const engine = fakeEngine();
  const view = render(
    <ApiProvider client={client}>
      <MemoryRouter initialEntries={[`/cameras/${CAMERA_ID}`]}>
        <Routes>
          <Route path="/cameras/:id" element={<CameraPage now={fixedNow} engine={engine} />} />
        </Routes>
      </MemoryRouter>
    </ApiProvider>,
  );
  return { fetch, engine, view, client };
}

function exportPanel(): HTMLElement | null {
  return screen.queryByRole('region', { name: 'Export clip' });
}

function video(): HTMLVideoElement {
  return screen.getByTestId<HTMLVideoElement>('playback-player');
}

async function started(engine: ReturnType<typeof fakeEngine>) {
  await waitFor(() => {
    expect(engine.sessions).toHaveLength(1);
  });
  act(() => {
    engine.last().events.onPlaylist(playlist);
  });
}

function timeUpdate(position: number) {
  Object.defineProperty(video(), 'currentTime', { configurable: true, value: position });
  fireEvent.timeUpdate(video());
}

describe('CameraPage', () => {
  it('plays the last half hour as HLS from the latest segment and lists the segments', async () => {
    const { fetch, engine } = setup(() => range([a, b, broken, c]));

    expect(await screen.findByRole('heading', { name: 'Front gate' })).toBeInTheDocument();
    await started(engine);

    const request = fetch.requests.find((r) => r.url.startsWith(`/api/playback/${CAMERA_ID}?`));
    const query = new URL(request?.url ?? '', 'http://localhost').searchParams;
    expect(query.get('start')).toBe('2024-05-01T11:35:00.000Z');
    expect(query.get('end')).toBe('2024-05-01T12:05:00.000Z');
    expect(engine.last().url).toBe(range([]).hls_url);
    expect(engine.last().video).toBe(video());
    expect(engine.last().seeks).toEqual([120]);

    expect(video()).toHaveAttribute('data-state', 'playing');
    expect(video()).toHaveAttribute('data-playing-at', '2024-05-01T12:03:00.000Z');
    expect(video().muted).toBe(true);
    expect(video()).toHaveAttribute('controls');

    const items = screen.getAllByTestId('segment-item');
    expect(items).toHaveLength(4);
    expect(items[3]).toHaveAttribute('aria-current', 'true');
  });

  it('follows the wall clock of the playing frame, across the gap', async () => {
    const { engine } = setup(() => range([a, b, broken, c]));
    await started(engine);

    timeUpdate(75);
    expect(video()).toHaveAttribute('data-playing-at', '2024-05-01T12:01:15.000Z');
    expect(screen.getAllByTestId('segment-item')[1]).toHaveAttribute('aria-current', 'true');

    timeUpdate(121.5);
    expect(video()).toHaveAttribute('data-playing-at', '2024-05-01T12:03:01.500Z');
    expect(screen.getByTestId('player-clock')).toHaveAttribute('datetime', '2024-05-01T12:03:01.500Z');
  });

  it('seeks to a clicked segment and to a clicked time on the timeline', async () => {
    const { engine } = setup(() => range([a, b, broken, c]));
    await started(engine);

    const first = screen.getAllByTestId('segment-item')[0] as HTMLElement;
    await userEvent.setup().click(within(first).getByRole('button'));
    expect(engine.last().seeks).toEqual([120, 0]);

    // The timeline shows 11:11-12:11 on 800 px: x = 660 is 12:00:30.
    const canvas = screen.getByTestId('timeline-canvas');
    expect(canvas).toHaveAttribute('data-start', '2024-05-01T11:11:00.000Z');
    fireEvent.pointerDown(canvas, { pointerId: 1, button: 0, clientX: 660 });
    fireEvent.pointerUp(canvas, { pointerId: 1, button: 0, clientX: 660 });
    expect(engine.last().seeks).toEqual([120, 0, 30]);
    expect(video()).toHaveAttribute('data-playing-at', '2024-05-01T12:00:30.000Z');
    expect(engine.sessions).toHaveLength(1);
  });

  it('says when a time in a gap plays from the next recording', async () => {
    const { engine } = setup(() => range([a, b, broken, c]));
    await started(engine);
    fireEvent.change(screen.getByLabelText('Jump to time'), { target: { value: '2024-05-01T12:02:20' } });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Go' }));
    expect(engine.last().seeks).toEqual([120, 120]);
    expect(screen.getByTestId('player-notice')).toHaveTextContent(
      'No recording at 12:02:20; playing from the next recorded time, 12:03:00.',
    );
  });

  it('says so when there is no recording in the range', async () => {
    const { engine } = setup(() => range([]));
    expect(await screen.findByText(/^No recording in this range/, { selector: '.status-message' }))
      .toBeInTheDocument();
    expect(video()).toHaveAttribute('data-state', 'empty');
    expect(screen.queryAllByTestId('segment-item')).toHaveLength(0);
    expect(engine.sessions).toHaveLength(0);
  });

  it('shows playback API errors', async () => {
    setup(() => null);
    expect(await screen.findByRole('alert')).toHaveTextContent('Bad range.');
    expect(video()).toHaveAttribute('data-state', 'error');
  });

  it('stops the stream when the page goes away', async () => {
    const { engine, view } = setup(() => range([a]));
    await waitFor(() => {
      expect(engine.sessions).toHaveLength(1);
    });
    expect(engine.last().destroyed).toBe(false);
    view.unmount();
    expect(engine.last().destroyed).toBe(true);
  });

  it('marks the camera’s live detections on its timeline as they arrive', async () => {
    const sockets = fakeSockets();
    setup(() => range([a, b, broken, c]), sockets);
    await screen.findByRole('heading', { name: 'Front gate' });
    const canvas = screen.getByTestId('timeline-canvas');
    expect(canvas).toHaveAttribute('data-live-markers', '0');
    expect(sockets.last().params.get('camera_id')).toBe(CAMERA_ID);

    act(() => {
      sockets.last().accept();
    });
    await waitFor(() => {
      expect(sockets.last().sent).toContainEqual({ type: 'ping' });
    });
    // 12:04:00, inside the shown hour; then one from a day earlier, outside it.
    act(() => {
      sockets.last().push({ type: 'detection', detection: detection(240) });
      sockets.last().push({
        type: 'detection',
        detection: detection(241, { captured_at: '2024-04-30T12:04:00Z' }),
      });
    });

    expect(canvas).toHaveAttribute('data-live-markers', '1');
  });

  it('offers an operator the export panel', async () => {
    setup(() => range([a, b, broken, c]), undefined, () => json(200, me('operator')));
    await screen.findByRole('heading', { name: 'Front gate' });

    expect(await screen.findByRole('region', { name: 'Export clip' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export clip' })).toBeEnabled();
  });

  it('shows a viewer nothing to export with', async () => {
    const { client } = setup(() => range([a, b, broken, c]), undefined, () => json(200, me('viewer')));
    await screen.findByRole('heading', { name: 'Front gate' });
    await waitFor(() => {
      expect(signedInUserOf(client).getSnapshot().status).toBe('ready');
    });

    expect(exportPanel()).toBeNull();
    expect(screen.queryByRole('button', { name: 'Export clip' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Segments' })).toBeInTheDocument();
  });

  it('shows the export panel only once the user is known to have control_camera', async () => {
    let answer: (reply: FakeResponse) => void = () => undefined;
    const pending = new Promise<FakeResponse>((resolve) => {
      answer = resolve;
    });
    const { fetch, engine } = setup(() => range([a, b, broken, c]), undefined, () => pending);
    await started(engine);
    expect(fetch.requests.some((r) => r.url === '/api/me')).toBe(true);
    expect(exportPanel()).toBeNull();

    act(() => {
      answer(json(200, me('operator')));
    });
    expect(await screen.findByRole('region', { name: 'Export clip' })).toBeInTheDocument();
  });

  it('plays without the export panel when who is signed in cannot be fetched', async () => {
    const { client, engine } = setup(
      () => range([a, b, broken, c]),
      undefined,
      () => json(503, apiError('Database unavailable.', 'server_error')),
    );
    await started(engine);
    await waitFor(() => {
      expect(signedInUserOf(client).getSnapshot().status).toBe('failed');
    });

    expect(video()).toHaveAttribute('data-state', 'playing');
    expect(screen.getAllByTestId('segment-item')).toHaveLength(4);
    expect(exportPanel()).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
