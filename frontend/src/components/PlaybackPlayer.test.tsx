import { render, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiProvider } from '../api/ApiContext';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import { fakeEngine } from '../test/fakeEngine';
import { fakeFetch, json } from '../test/fakeFetch';
import { CAMERA_ID, range, segment } from '../test/fixtures';
import { PlaybackPlayer, type PlaybackPlayerHandle } from './PlaybackPlayer';

const NOW = new Date('2024-05-01T12:30:00Z');
const now = () => NOW;

function setup(onHandle: (handle: PlaybackPlayerHandle) => void) {
  const fetch = fakeFetch(() => json(200, range([segment(1, 0)])));
  const client = new ApiClient({ fetch, tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }) });
  const engine = fakeEngine();
  render(
    <ApiProvider client={client}>
      <PlaybackPlayer
        cameraId={CAMERA_ID}
        now={now}
        engine={engine}
        ref={(handle) => {
          if (handle !== null) onHandle(handle);
        }}
      />
    </ApiProvider>,
  );
  const loadedStarts = () =>
    fetch.requests
      .filter((request) => request.url.startsWith(`/api/playback/${CAMERA_ID}?`))
      .map((request) => new URL(request.url, 'http://x').searchParams.get('start'));
  return { loadedStarts };
}

describe('PlaybackPlayer', () => {
  it('plays the latest recording when nothing was asked for', async () => {
    const { loadedStarts } = setup(() => undefined);
    await waitFor(() => {
      expect(loadedStarts()).toEqual(['2024-05-01T12:00:00.000Z']);
    });
  });

  it('keeps a time asked for as soon as the player appears, before it has started', async () => {
    // The handle is attached on commit, before the player's effects run: a jump typed at once
    // must be played, not replaced by the latest recording.
    const { loadedStarts } = setup((handle) => {
      handle.seekTo(new Date('2024-05-01T11:10:00Z'));
    });
    await waitFor(() => {
      expect(loadedStarts().at(-1)).toBe('2024-05-01T10:40:00.000Z');
    });
    expect(loadedStarts()).not.toContain('2024-05-01T12:00:00.000Z');
  });
});
