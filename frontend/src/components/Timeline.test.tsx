import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../api/ApiContext';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { Timeline as TimelineData } from '../api/types';
import { HOUR, MINUTE, type TimeWindow } from '../playback/timelineScale';
import { apiError, fakeFetch, json, type RecordedRequest } from '../test/fakeFetch';
import { CAMERA_ID } from '../test/fixtures';
import { FALLBACK_WIDTH, Timeline } from './Timeline';

// TZ=UTC in tests. jsdom has no layout: the canvas is FALLBACK_WIDTH (800) px wide at x = 0.
const T0 = Date.parse('2024-05-01T12:00:00Z');
const NOW = new Date('2024-05-01T14:00:00Z');
const fixedNow = () => NOW;

/** Four 15-minute buckets: recorded, recorded, a gap, recorded. */
function answer(request: RecordedRequest): TimelineData {
  const url = new URL(request.url, 'http://localhost');
  const start = Date.parse(url.searchParams.get('start') ?? '');
  const buckets = [900, 900, 0, 900].map((recorded, i) => ({
    start: new Date(start + i * 15 * MINUTE).toISOString(),
    recorded_s: recorded,
    gap_s: 900 - recorded,
    detections: i === 3 ? 1 : 0,
  }));
  return {
    camera_id: CAMERA_ID,
    start: new Date(start).toISOString(),
    end: url.searchParams.get('end') ?? '',
    bucket_s: 900,
    buckets,
  };
}

function setup(options: { fail?: boolean; playhead?: Date | null } = {}) {
  const fetch = fakeFetch((request) =>
    options.fail === true
      ? json(400, apiError('The range is longer than allowed.', 'invalid_range'))
      : json(200, answer(request)),
  );
  const client = new ApiClient({ fetch, tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }) });
  const onSeek = vi.fn<(time: Date) => void>();
  const views: TimeWindow[] = [];

  function Harness() {
    const [view, setView] = useState<TimeWindow>({ start: T0, end: T0 + HOUR });
    return (
      <Timeline
        cameraId={CAMERA_ID}
        view={view}
        onViewChange={(next) => {
          views.push(next);
          setView(next);
        }}
        playhead={options.playhead === undefined ? new Date(T0 + 30 * MINUTE) : options.playhead}
        onSeek={onSeek}
        now={fixedNow}
      />
    );
  }

  render(
    <ApiProvider client={client}>
      <Harness />
    </ApiProvider>,
  );
  const canvas = screen.getByTestId('timeline-canvas');
  const shown = () => ({
    start: canvas.getAttribute('data-start'),
    end: canvas.getAttribute('data-end'),
  });
  return { fetch, onSeek, views, canvas, shown };
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

describe('Timeline', () => {
  it('fetches the visible window with a bucket of about a pixel and summarises it', async () => {
    const { fetch } = setup();
    await waitFor(() => {
      expect(fetch.requests).toHaveLength(1);
    });
    const url = new URL(fetch.requests[0]?.url ?? '', 'http://localhost');
    expect(url.pathname).toBe(`/api/playback/${CAMERA_ID}/timeline`);
    expect(url.searchParams.get('start')).toBe('2024-05-01T12:00:00.000Z');
    expect(url.searchParams.get('end')).toBe('2024-05-01T13:00:00.000Z');
    // 3600 s over 800 px = 4.5 s per pixel -> 5 s buckets.
    expect(url.searchParams.get('bucket')).toBe('5');
    expect(FALLBACK_WIDTH).toBe(800);

    expect(await screen.findByText('Recorded 75% of the shown time, 1 gap (15 min in total), 1 detection.'))
      .toBeInTheDocument();
    const canvas = screen.getByTestId('timeline-canvas');
    expect(canvas).toHaveAccessibleName(/^Recording timeline from 12:00:00 to 13:00:00\./);
    expect(canvas).toHaveAccessibleDescription(/Recorded 75%/);
  });

  it('seeks to the time under a click', async () => {
    const { onSeek, canvas } = setup();
    // A wobble under the drag threshold is still a click.
    fireEvent.pointerDown(canvas, { pointerId: 1, button: 0, clientX: 198 });
    fireEvent.pointerMove(canvas, { pointerId: 1, clientX: 200 });
    fireEvent.pointerUp(canvas, { pointerId: 1, button: 0, clientX: 200 });
    expect(onSeek).toHaveBeenCalledTimes(1);
    // x = 200 of 800 over 12:00-13:00 is 12:15.
    expect(onSeek.mock.calls[0]?.[0].toISOString()).toBe('2024-05-01T12:15:00.000Z');
    await waitFor(() => {
      expect(screen.getByTestId('timeline-summary')).toHaveTextContent('Recorded');
    });
  });

  it('pans on drag without seeking', () => {
    const { onSeek, canvas, shown } = setup();
    fireEvent.pointerDown(canvas, { pointerId: 1, button: 0, clientX: 400 });
    fireEvent.pointerMove(canvas, { pointerId: 1, clientX: 200 });
    fireEvent.pointerUp(canvas, { pointerId: 1, button: 0, clientX: 200 });
    expect(onSeek).not.toHaveBeenCalled();
    // Dragging left by a quarter of the width shows 15 minutes later.
    expect(shown()).toEqual({ start: '2024-05-01T12:15:00.000Z', end: '2024-05-01T13:15:00.000Z' });
  });

  it('zooms with the buttons around the playhead, with presets and with the wheel around the cursor', async () => {
    const user = userEvent.setup();
    const { canvas, shown } = setup();

    await user.click(screen.getByRole('button', { name: 'Zoom in' }));
    expect(shown()).toEqual({ start: '2024-05-01T12:15:00.000Z', end: '2024-05-01T12:45:00.000Z' });

    await user.click(screen.getByRole('button', { name: 'Show 1 min' }));
    expect(shown()).toEqual({ start: '2024-05-01T12:29:30.000Z', end: '2024-05-01T12:30:30.000Z' });
    expect(screen.getByRole('button', { name: 'Show 1 min' })).toHaveAttribute('aria-pressed', 'true');

    // Zooming in further is refused: a minute is the closest view.
    await user.click(screen.getByRole('button', { name: 'Zoom in' }));
    expect(shown()).toEqual({ start: '2024-05-01T12:29:30.000Z', end: '2024-05-01T12:30:30.000Z' });

    await user.click(screen.getByRole('button', { name: 'Show 1 h' }));
    // Wheel out around x = 200 (12:15): that time stays a quarter in.
    fireEvent.wheel(canvas, { deltaY: 462, clientX: 200 });
    const start = Date.parse(shown().start ?? '');
    const end = Date.parse(shown().end ?? '');
    expect(end - start).toBeGreaterThan(1.9 * HOUR);
    expect(start + (end - start) / 4).toBeCloseTo(Date.parse('2024-05-01T12:15:00Z'), -3);
  });

  it('pans with the buttons and arrow keys, never more than a tenth into the future', async () => {
    const user = userEvent.setup();
    const { canvas, shown } = setup();
    await user.click(screen.getByRole('button', { name: 'Earlier' }));
    expect(shown().start).toBe('2024-05-01T11:45:00.000Z');
    fireEvent.keyDown(canvas, { key: 'ArrowRight' });
    expect(shown().start).toBe(iso(Date.parse('2024-05-01T11:45:00Z') + 7.5 * MINUTE));
    for (let i = 0; i < 20; i += 1) await user.click(screen.getByRole('button', { name: 'Later' }));
    expect(shown().end).toBe('2024-05-01T14:06:00.000Z');
  });

  it('jumps to a typed time: seeks there and centres the view on it', async () => {
    const user = userEvent.setup();
    const { onSeek, shown } = setup();
    const input = screen.getByLabelText('Jump to time');
    fireEvent.change(input, { target: { value: '2024-04-30T08:15:30' } });
    await user.click(screen.getByRole('button', { name: 'Go' }));
    expect(onSeek.mock.calls[0]?.[0].toISOString()).toBe('2024-04-30T08:15:30.000Z');
    expect(shown()).toEqual({ start: '2024-04-30T07:45:30.000Z', end: '2024-04-30T08:45:30.000Z' });

    fireEvent.change(input, { target: { value: '2024-05-02T08:00:00' } });
    await user.click(screen.getByRole('button', { name: 'Go' }));
    expect(screen.getByRole('alert')).toHaveTextContent('That time is in the future.');
    expect(onSeek).toHaveBeenCalledTimes(1);
  });

  it('shows the API’s message when the timeline cannot be loaded', async () => {
    setup({ fail: true });
    expect(await screen.findByRole('alert')).toHaveTextContent('The range is longer than allowed.');
  });
});
