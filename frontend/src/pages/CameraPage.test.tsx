import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { ApiProvider } from '../api/ApiContext';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { Camera, PlaybackRange } from '../api/types';
import { apiError, fakeFetch, json, type RecordedRequest } from '../test/fakeFetch';
import { CAMERA_ID, range, segment } from '../test/fixtures';
import { CameraPage } from './CameraPage';

const camera: Camera = {
  id: CAMERA_ID,
  name: 'Front gate',
  enabled: true,
  last_segment_end: '2024-05-01T12:05:00Z',
};
const NOW = new Date('2024-05-01T12:05:00Z');
const fixedNow = () => NOW;

const a = segment(1, 0);
const b = segment(2, 60);
const broken = segment(3, 120, 60, 'corrupt');
const c = segment(4, 180);

function setup(playback: (request: RecordedRequest, call: number) => PlaybackRange | null, pollIntervalMs = 60_000) {
  let calls = 0;
  const fetch = fakeFetch((request) => {
    if (request.url === `/api/cameras/${CAMERA_ID}/`) return json(200, camera);
    if (request.url.startsWith(`/api/playback/${CAMERA_ID}?`)) {
      calls += 1;
      const body = playback(request, calls);
      return body === null ? json(400, apiError('Bad range.', 'invalid_range')) : json(200, body);
    }
    return json(404, apiError('Not found.', 'not_found'));
  });
  const client = new ApiClient({ fetch, tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }) });
  const view = render(
    <ApiProvider client={client}>
      <MemoryRouter initialEntries={[`/cameras/${CAMERA_ID}`]}>
        <Routes>
          <Route path="/cameras/:id" element={<CameraPage now={fixedNow} pollIntervalMs={pollIntervalMs} />} />
        </Routes>
      </MemoryRouter>
    </ApiProvider>,
  );
  return { fetch, view, playbackCalls: () => calls };
}

function video(): HTMLVideoElement {
  return screen.getByTestId<HTMLVideoElement>('playback-video');
}

describe('CameraPage', () => {
  it('asks for the last 10 minutes and plays the most recent segment', async () => {
    const { fetch } = setup(() => range([a, b, broken, c]));

    expect(await screen.findByRole('heading', { name: 'Front gate' })).toBeInTheDocument();
    await waitFor(() => {
      expect(video()).toHaveAttribute('src', c.url);
    });
    expect(video().muted).toBe(true);
    expect(video()).toHaveAttribute('autoplay');
    expect(video()).toHaveAttribute('controls');

    const request = fetch.requests.find((r) => r.url.startsWith('/api/playback/'));
    const query = new URL(request?.url ?? '', 'http://localhost').searchParams;
    expect(query.get('start')).toBe('2024-05-01T11:55:00.000Z');
    expect(query.get('end')).toBe('2024-05-01T12:05:00.000Z');

    const items = screen.getAllByTestId('segment-item');
    expect(items).toHaveLength(4);
    expect(items[3]).toHaveAttribute('aria-current', 'true');
  });

  it('plays a clicked segment and advances past corrupt ones on ended', async () => {
    setup(() => range([a, b, broken, c]));
    await waitFor(() => {
      expect(video()).toHaveAttribute('src', c.url);
    });

    const first = screen.getAllByTestId('segment-item')[1] as HTMLElement;
    await userEvent.setup().click(within(first).getByRole('button'));
    expect(video()).toHaveAttribute('src', b.url);

    fireEvent.ended(video());
    expect(video()).toHaveAttribute('src', c.url);
  });

  it('waits after the last segment and plays the next one a poll brings', async () => {
    const { playbackCalls } = setup((_, call) => (call === 1 ? range([a, b]) : range([a, b, c])), 30);
    await waitFor(() => {
      expect(video()).toHaveAttribute('src', b.url);
    });

    fireEvent.ended(video());
    await waitFor(() => {
      expect(video()).toHaveAttribute('src', c.url);
    });
    expect(playbackCalls()).toBeGreaterThanOrEqual(2);
  });

  it('stops polling on unmount', async () => {
    const { view, playbackCalls } = setup(() => range([a]), 20);
    await waitFor(() => {
      expect(playbackCalls()).toBeGreaterThanOrEqual(2);
    });
    view.unmount();
    const count = playbackCalls();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(playbackCalls()).toBe(count);
  });

  it('says so when there are no recordings', async () => {
    setup(() => range([]));
    expect(await screen.findByText('No recordings in the last 10 minutes')).toBeInTheDocument();
    expect(screen.queryAllByTestId('segment-item')).toHaveLength(0);
    expect(video()).not.toHaveAttribute('src');
  });

  it('shows playback API errors', async () => {
    setup(() => null);
    expect(await screen.findByRole('alert')).toHaveTextContent('Bad range.');
  });
});
