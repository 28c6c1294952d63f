import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import type { Detection } from '../api/types';
import { detection, detections } from '../test/detections';
import { apiError, fakeFetch, json, type FakeResponse, type RecordedRequest } from '../test/fakeFetch';
import { fakeSockets } from '../test/fakeSocket';
import { CAMERA_ID } from '../test/fixtures';
import { DetectionFeed, MAX_RETRY_MS, PAGE_LIMIT, retryDelay, type FeedOptions } from './detectionFeed';

/** The real timer, taken before the tests fake it. */
const realSetTimeout = globalThis.setTimeout;

/** Lets pending promises and fetches run (only the feed's timeouts are faked). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) {
    await new Promise((resolve) => {
      realSetTimeout(resolve, 0);
    });
  }
}

type Server = (request: RecordedRequest, url: URL) => FakeResponse | undefined;

/** Detections API of `stored` (ascending ids), with the contract's since/limit rules. */
function detectionsApi(stored: () => Detection[]): Server {
  return (_request, url) => {
    if (url.pathname !== '/api/detections') return undefined;
    const limit = Number(url.searchParams.get('limit') ?? '100');
    const sinceParam = url.searchParams.get('since');
    const all = stored();
    if (sinceParam === null) {
      const results = all.slice(-limit);
      return json(200, { results, next_since: results.at(-1)?.id ?? null });
    }
    const since = Number(sinceParam);
    const results = all.filter((d) => d.id > since).slice(0, limit);
    return json(200, { results, next_since: results.at(-1)?.id ?? since });
  };
}

function setup(server: Server, options: FeedOptions = {}) {
  const fetch = fakeFetch((request) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/api/auth/refresh') {
      return (request.body as { refresh: string }).refresh === 'r'
        ? json(200, { access: 'a2' })
        : json(401, apiError('Token is invalid or expired.', 'token_not_valid'));
    }
    return server(request, url) ?? json(404, apiError('Not found.', 'not_found'));
  });
  const tokens = new MemoryTokenStore({ access: 'a1', refresh: 'r' });
  const sockets = fakeSockets();
  const client = new ApiClient({ fetch, tokens, openSocket: sockets, baseUrl: 'http://vms.test' });
  const feed = new DetectionFeed(client, { random: () => 0, ...options });
  const detectionRequests = () =>
    fetch.requests
      .map((request) => new URL(request.url))
      .filter((url) => url.pathname === '/api/detections')
      .map((url) => url.search);
  return { fetch, tokens, sockets, feed, detectionRequests };
}

function ids(feed: DetectionFeed): number[] {
  return feed.getSnapshot().detections.map((d) => d.id);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('retryDelay', () => {
  it('starts at 0.5 s, doubles up to 10 s and keeps at least half of it', () => {
    const lowest = [0, 1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(attempt, () => 0));
    const highest = [0, 1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(attempt, () => 1));
    expect(highest).toEqual([500, 1000, 2000, 4000, 8000, MAX_RETRY_MS, MAX_RETRY_MS]);
    expect(lowest).toEqual(highest.map((ms) => ms / 2));
    expect(retryDelay(2, () => 0.5)).toBe(1500);
  });
});

describe('DetectionFeed', () => {
  it('opens the socket with the access token, then fetches the newest once subscribed', async () => {
    const stored = detections(1, 3);
    const { feed, sockets, detectionRequests } = setup(detectionsApi(() => stored), {
      cameraId: CAMERA_ID,
    });

    feed.start();
    expect(feed.getSnapshot().state).toBe('connecting');
    const socket = sockets.last();
    expect(socket.url.startsWith('ws://vms.test/ws/detections?')).toBe(true);
    expect(socket.params.get('token')).toBe('a1');
    expect(socket.params.get('camera_id')).toBe(CAMERA_ID);
    expect(detectionRequests()).toEqual([]);

    socket.accept();
    await settle();

    expect(socket.sent).toContainEqual({ type: 'ping' });
    expect(detectionRequests()).toEqual([`?camera_id=${CAMERA_ID}&limit=200`]);
    expect(ids(feed)).toEqual([3, 2, 1]);
    expect(feed.getSnapshot()).toMatchObject({ state: 'live', lastId: 3 });
    feed.stop();
  });

  it('adds pushed detections newest first, once each, keeping the newest N with findings', async () => {
    const stored = detections(1, 2);
    const { feed, sockets } = setup(detectionsApi(() => stored), { keep: 3 });
    feed.start();
    const socket = sockets.last();
    socket.accept();
    await settle();

    socket.push({ type: 'detection', detection: detection(3) });
    socket.push({ type: 'detection', detection: detection(2) });
    socket.push({ type: 'detection', detection: detection(5) });
    socket.push({ type: 'detection', detection: detection(4) });
    socket.push({ type: 'detection', detection: detection(6, { labels: [], faces: [] }) });
    socket.push({ type: 'something else' });
    socket.push({ type: 'detection', detection: { id: 'not a detection' } });

    expect(ids(feed)).toEqual([5, 4, 3]);
    // A frame with nothing found is not shown but is not fetched again either.
    expect(feed.getSnapshot().lastId).toBe(6);
    feed.stop();
  });

  it('after a drop, reconnects with backoff and pages through what it missed, without holes', async () => {
    let stored = detections(1, 2);
    const { feed, sockets, detectionRequests } = setup(detectionsApi(() => stored), { keep: 1000 });
    feed.start();
    sockets.last().accept();
    await settle();
    expect(ids(feed)).toEqual([2, 1]);

    sockets.last().serverClose(1006);
    expect(feed.getSnapshot().state).toBe('reconnecting');
    // Stored while disconnected: more than one page.
    stored = detections(1, PAGE_LIMIT + 12);

    await vi.advanceTimersByTimeAsync(249);
    expect(sockets.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets.opened).toHaveLength(2);
    const socket = sockets.last();
    socket.accept();
    // Pushed before the catch-up starts: kept once, and no reason to skip what was missed.
    socket.push({ type: 'detection', detection: detection(PAGE_LIMIT + 12) });
    await settle();

    expect(detectionRequests().slice(1)).toEqual([
      `?since=2&limit=${PAGE_LIMIT}`,
      `?since=${PAGE_LIMIT + 2}&limit=${PAGE_LIMIT}`,
    ]);
    const expected = detections(1, PAGE_LIMIT + 12)
      .map((d) => d.id)
      .reverse();
    expect(ids(feed)).toEqual(expected);
    expect(feed.getSnapshot().state).toBe('live');
    feed.stop();
  });

  it('backs off longer after each failed attempt and starts over once live', async () => {
    const stored = detections(1, 1);
    const { feed, sockets } = setup(detectionsApi(() => stored));
    feed.start();

    for (const [attempt, wait] of [250, 500, 1000, 2000].entries()) {
      sockets.last().serverClose(1006);
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(sockets.opened).toHaveLength(attempt + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets.opened).toHaveLength(attempt + 2);
    }
    sockets.last().accept();
    await settle();
    expect(feed.getSnapshot().state).toBe('live');

    sockets.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(250);
    expect(sockets.opened).toHaveLength(6);
    feed.stop();
  });

  it('refreshes a refused token and reconnects at once with the new one', async () => {
    const stored = detections(1, 1);
    const { feed, sockets, tokens, fetch } = setup(detectionsApi(() => stored));
    feed.start();
    sockets.last().accept();
    sockets.last().serverClose(4401);
    await settle();

    expect(fetch.requests.some((request) => request.url.endsWith('/api/auth/refresh'))).toBe(true);
    expect(tokens.load()?.access).toBe('a2');
    expect(sockets.opened).toHaveLength(2);
    expect(sockets.last().params.get('token')).toBe('a2');
    sockets.last().accept();
    await settle();
    expect(feed.getSnapshot().state).toBe('live');
    feed.stop();
  });

  it('is signed out when the refresh token is refused too', async () => {
    const { feed, sockets, tokens } = setup(detectionsApi(() => []));
    tokens.save({ access: 'a1', refresh: 'expired' });
    feed.start();
    sockets.last().accept();
    sockets.last().serverClose(4401);
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(feed.getSnapshot().state).toBe('signed_out');
    expect(tokens.load()).toBeNull();
    expect(sockets.opened).toHaveLength(1);
  });

  it('stops on 4404: the camera is not the tenant’s', async () => {
    const { feed, sockets } = setup(detectionsApi(() => []), { cameraId: 'elsewhere' });
    feed.start();
    sockets.last().accept();
    sockets.last().serverClose(4404);
    await vi.advanceTimersByTimeAsync(60_000);

    expect(feed.getSnapshot().state).toBe('not_found');
    expect(sockets.opened).toHaveLength(1);
  });

  it('reconnects when a ping gets no pong', async () => {
    const { feed, sockets } = setup(detectionsApi(() => []), { pingMs: 1000, pongTimeoutMs: 500 });
    feed.start();
    const first = sockets.last();
    first.accept();
    await settle();
    expect(feed.getSnapshot().state).toBe('live');

    first.answerPings = false;
    await vi.advanceTimersByTimeAsync(1000 + 500);
    expect(first.closedByClient).toBe(true);
    expect(feed.getSnapshot().state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(250);
    expect(sockets.opened).toHaveLength(2);
    feed.stop();
  });

  it('starts again when the catch-up fails, so the feed never has a hole', async () => {
    let failing = true;
    const stored = detections(1, 2);
    const api = detectionsApi(() => stored);
    const { feed, sockets } = setup((request, url) =>
      failing ? json(503, apiError('Database unavailable.', 'unavailable')) : api(request, url),
    );
    feed.start();
    sockets.last().accept();
    await settle();
    expect(feed.getSnapshot().state).toBe('reconnecting');
    expect(sockets.opened[0]?.closedByClient).toBe(true);

    failing = false;
    await vi.advanceTimersByTimeAsync(250);
    sockets.last().accept();
    await settle();
    expect(feed.getSnapshot().state).toBe('live');
    expect(ids(feed)).toEqual([2, 1]);
    feed.stop();
  });

  it('ignores a socket it has stopped', async () => {
    const { feed, sockets, detectionRequests } = setup(detectionsApi(() => detections(1, 1)));
    feed.start();
    const socket = sockets.last();
    feed.stop();

    expect(socket.closedByClient).toBe(true);
    socket.accept();
    socket.push({ type: 'detection', detection: detection(9) });
    socket.serverClose(1006);
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ids(feed)).toEqual([]);
    expect(detectionRequests()).toEqual([]);
    expect(sockets.opened).toHaveLength(1);
  });

  it('is off without WebSocket support, and asks nothing', async () => {
    const fetch = fakeFetch(() => json(200, { results: [], next_since: null }));
    const client = new ApiClient({ fetch, tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }) });
    const feed = new DetectionFeed(client);
    feed.start();
    await settle();

    expect(feed.getSnapshot().state).toBe('off');
    expect(fetch.requests).toEqual([]);
  });
});
