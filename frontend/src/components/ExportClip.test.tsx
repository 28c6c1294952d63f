import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiProvider } from '../api/ApiContext';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { ExportJob } from '../api/types';
import { apiError, fakeFetch, json, type FakeResponse, type RecordedRequest } from '../test/fakeFetch';
import { CAMERA_ID } from '../test/fixtures';
import { defaultExportRange, ExportClip } from './ExportClip';

// TZ=UTC in tests, so datetime-local values read as UTC.
const NOW = new Date('2024-05-01T12:30:00Z');
const JOB_ID = '0f8e2a4c-1111-4222-8333-944455556666';

function job(change: Partial<ExportJob> = {}): ExportJob {
  return {
    id: JOB_ID,
    camera_id: CAMERA_ID,
    start: '2024-05-01T12:00:00Z',
    end: '2024-05-01T12:10:00Z',
    status: 'queued',
    progress: 0,
    error: null,
    created_at: '2024-05-01T12:30:00Z',
    finished_at: null,
    sha256: null,
    clip_url: null,
    manifest_url: null,
    ...change,
  };
}

function setup(respond: (request: RecordedRequest, poll: number) => FakeResponse, around: Date | null) {
  let polls = 0;
  const fetch = fakeFetch((request) => {
    if (request.method === 'GET') polls += 1;
    return respond(request, polls);
  });
  const client = new ApiClient({ fetch, tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }) });
  render(
    <ApiProvider client={client}>
      <ExportClip cameraId={CAMERA_ID} around={around} now={() => NOW} pollMs={10} />
    </ApiProvider>,
  );
  return { fetch };
}

describe('defaultExportRange', () => {
  it('is the ten minutes around the playhead, ending by now at the latest', () => {
    const range = (around: string | null) => {
      const { start, end } = defaultExportRange(around === null ? null : new Date(around), NOW);
      return [start.toISOString(), end.toISOString()];
    };
    expect(range('2024-05-01T12:05:00Z')).toEqual(['2024-05-01T12:00:00.000Z', '2024-05-01T12:10:00.000Z']);
    expect(range('2024-05-01T12:28:00Z')).toEqual(['2024-05-01T12:20:00.000Z', '2024-05-01T12:30:00.000Z']);
    expect(range(null)).toEqual(['2024-05-01T12:20:00.000Z', '2024-05-01T12:30:00.000Z']);
  });
});

describe('ExportClip', () => {
  it('exports the ten minutes around the playhead, shows progress, then the download links', async () => {
    const { fetch } = setup(
      (request, poll) => {
        if (request.method === 'POST') return json(202, job());
        if (poll === 1) return json(200, job({ status: 'running', progress: 0.4 }));
        return json(
          200,
          job({
            status: 'done',
            progress: 1,
            sha256: 'ab'.repeat(32),
            clip_url: '/api/exports/x/clip.mp4?sig=1',
            manifest_url: '/api/exports/x/manifest.json?sig=1',
          }),
        );
      },
      new Date('2024-05-01T12:05:00Z'),
    );
    expect(screen.getByLabelText('Start')).toHaveValue('2024-05-01T12:00');
    expect(screen.getByLabelText('End')).toHaveValue('2024-05-01T12:10');

    await userEvent.setup().click(screen.getByRole('button', { name: 'Export clip' }));

    const post = fetch.requests[0];
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe(`/api/playback/${CAMERA_ID}/export`);
    expect(post?.body).toEqual({ start: '2024-05-01T12:00:00.000Z', end: '2024-05-01T12:10:00.000Z' });

    await waitFor(() => {
      expect(screen.getByTestId('export-status')).toHaveAttribute('data-status', 'running');
    });
    expect(screen.getByTestId('export-progress')).toHaveAttribute('value', '0.4');
    expect(screen.getByText('40%')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export clip' })).toBeDisabled();

    expect(await screen.findByTestId('export-clip-link')).toHaveAttribute('href', '/api/exports/x/clip.mp4?sig=1');
    expect(screen.getByTestId('export-manifest-link')).toHaveAttribute('href', '/api/exports/x/manifest.json?sig=1');
    expect(screen.getByTestId('export-sha256')).toHaveTextContent('ab'.repeat(32));
    expect(fetch.requests.slice(1).map((r) => r.url)).toEqual([`/api/exports/${JOB_ID}`, `/api/exports/${JOB_ID}`]);
    // Done: no more polling.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetch.requests).toHaveLength(3);
  });

  it('exports a typed range and shows the API’s message when it is refused', async () => {
    const { fetch } = setup(
      () => json(400, apiError('The range is longer than the maximum of 24 hours.', 'invalid_range')),
      null,
    );
    fireEvent.change(screen.getByLabelText('Start'), { target: { value: '2024-04-01T00:00:00' } });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Export clip' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The range is longer than the maximum of 24 hours.');
    expect(fetch.requests[0]?.body).toEqual({ start: '2024-04-01T00:00:00.000Z', end: '2024-05-01T12:30:00.000Z' });
  });

  it('refuses a start after the end without asking the server', async () => {
    const { fetch } = setup(() => json(202, job()), null);
    fireEvent.change(screen.getByLabelText('Start'), { target: { value: '2024-05-01T12:40:00' } });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Export clip' }));
    expect(screen.getByRole('alert')).toHaveTextContent('The start must be before the end.');
    expect(fetch.requests).toHaveLength(0);
  });

  it('shows why an export failed', async () => {
    setup(
      (request) =>
        request.method === 'POST'
          ? json(202, job())
          : json(200, job({ status: 'failed', error: 'No recording in the range.' })),
      null,
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'Export clip' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No recording in the range.');
    expect(screen.getByTestId('export-status')).toHaveAttribute('data-status', 'failed');
    expect(screen.queryByTestId('export-clip-link')).toBeNull();
  });
});
