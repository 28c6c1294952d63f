import { describe, expect, it, vi } from 'vitest';
import { apiError, fakeFetch, json } from '../test/fakeFetch';
import { fakeSockets } from '../test/fakeSocket';
import { me } from '../test/me';
import { ApiClient, ApiError, NETWORK_ERROR, NOT_AUTHENTICATED } from './client';
import { MemoryTokenStore, WebStorageTokenStore } from './tokens';
import type { Camera } from './types';

const camera: Camera = {
  id: '6f1c1a52-3c0f-4f4e-9d0a-1b2c3d4e5f60',
  name: 'Gate',
  enabled: true,
  last_segment_end: '2024-05-01T12:00:00Z',
};

function signedInClient(responder: Parameters<typeof fakeFetch>[0]) {
  const fetch = fakeFetch(responder);
  const tokens = new MemoryTokenStore({ access: 'old-access', refresh: 'refresh-1' });
  const client = new ApiClient({ fetch, tokens });
  const signedOut = vi.fn();
  client.subscribe(signedOut);
  return { client, fetch, tokens, signedOut };
}

describe('ApiClient.login', () => {
  it('posts the credentials and stores the tokens', async () => {
    const fetch = fakeFetch(() => json(200, { access: 'a1', refresh: 'r1' }));
    const tokens = new MemoryTokenStore();
    const client = new ApiClient({ fetch, tokens });
    const listener = vi.fn();
    client.subscribe(listener);

    await client.login('alice', 's3cret');

    expect(fetch.requests).toHaveLength(1);
    const [request] = fetch.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/auth/login');
    expect(request?.body).toEqual({ username: 'alice', password: 's3cret' });
    expect(request?.headers.get('Content-Type')).toBe('application/json');
    expect(request?.headers.has('Authorization')).toBe(false);
    expect(tokens.load()).toEqual({ access: 'a1', refresh: 'r1' });
    expect(client.isAuthenticated()).toBe(true);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('throws the API error on bad credentials, without refreshing or storing anything', async () => {
    const fetch = fakeFetch(() =>
      json(401, apiError('Invalid username or password.', 'invalid_credentials')),
    );
    const tokens = new MemoryTokenStore();
    const client = new ApiClient({ fetch, tokens });

    const error = await client.login('alice', 'wrong').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      message: 'Invalid username or password.',
      code: 'invalid_credentials',
      extra: {},
      status: 401,
    });
    expect(fetch.requests.map((r) => r.url)).toEqual(['/api/auth/login']);
    expect(tokens.load()).toBeNull();
  });

  it('reports a network failure as an ApiError', async () => {
    const client = new ApiClient({
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      tokens: new MemoryTokenStore(),
    });
    await expect(client.login('a', 'b')).rejects.toMatchObject({ code: NETWORK_ERROR });
  });
});

describe('ApiClient authenticated calls', () => {
  it('sends the bearer token and returns the parsed body', async () => {
    const { client, fetch } = signedInClient(() => json(200, [camera]));

    await expect(client.listCameras()).resolves.toEqual([camera]);

    expect(fetch.requests[0]?.url).toBe('/api/cameras/');
    expect(fetch.requests[0]?.headers.get('Authorization')).toBe('Bearer old-access');
  });

  it('refreshes once on 401 and retries with the new access token', async () => {
    const { client, fetch, tokens, signedOut } = signedInClient((request) => {
      if (request.url === '/api/auth/refresh') return json(200, { access: 'new-access' });
      const auth = request.headers.get('Authorization');
      return auth === 'Bearer new-access'
        ? json(200, camera)
        : json(401, apiError('Token expired', 'token_not_valid'));
    });

    await expect(client.getCamera(camera.id)).resolves.toEqual(camera);

    expect(fetch.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /api/cameras/${camera.id}/`,
      'POST /api/auth/refresh',
      `GET /api/cameras/${camera.id}/`,
    ]);
    expect(fetch.requests[1]?.body).toEqual({ refresh: 'refresh-1' });
    expect(fetch.requests[2]?.headers.get('Authorization')).toBe('Bearer new-access');
    expect(tokens.load()).toEqual({ access: 'new-access', refresh: 'refresh-1' });
    expect(signedOut).not.toHaveBeenCalled();
  });

  it('signs out when the retried call is still 401', async () => {
    const { client, fetch, tokens, signedOut } = signedInClient((request) =>
      request.url === '/api/auth/refresh'
        ? json(200, { access: 'new-access' })
        : json(401, apiError('Token expired', 'token_not_valid')),
    );

    const error = await client.listCameras().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(NOT_AUTHENTICATED);
    // One call, one refresh, one retry: never a second refresh.
    expect(fetch.requests.map((r) => r.url)).toEqual([
      '/api/cameras/',
      '/api/auth/refresh',
      '/api/cameras/',
    ]);
    expect(tokens.load()).toBeNull();
    expect(client.isAuthenticated()).toBe(false);
    expect(signedOut).toHaveBeenCalledTimes(1);
  });

  it('signs out without retrying when the refresh token is refused', async () => {
    const { client, fetch, tokens, signedOut } = signedInClient(() =>
      json(401, apiError('Token expired', 'token_not_valid')),
    );

    await expect(client.listCameras()).rejects.toMatchObject({ code: NOT_AUTHENTICATED });

    expect(fetch.requests.map((r) => r.url)).toEqual(['/api/cameras/', '/api/auth/refresh']);
    expect(tokens.load()).toBeNull();
    expect(signedOut).toHaveBeenCalledTimes(1);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const { client, fetch } = signedInClient((request) => {
      if (request.url === '/api/auth/refresh') return json(200, { access: 'new-access' });
      return request.headers.get('Authorization') === 'Bearer new-access'
        ? json(200, [camera])
        : json(401, apiError('Token expired', 'token_not_valid'));
    });

    await Promise.all([client.listCameras(), client.listCameras()]);

    expect(fetch.requests.filter((r) => r.url === '/api/auth/refresh')).toHaveLength(1);
  });

  it('throws API errors with message, code and extra', async () => {
    const { client } = signedInClient(() =>
      json(404, apiError('Camera not found.', 'not_found', { id: 'x' })),
    );

    await expect(client.getCamera('x')).rejects.toMatchObject({
      message: 'Camera not found.',
      code: 'not_found',
      extra: { id: 'x' },
      status: 404,
    });
  });

  it('asks for a playback range with ISO bounds', async () => {
    const { client, fetch } = signedInClient(() =>
      json(200, { camera_id: camera.id, start: 's', end: 'e', segments: [], gaps: [] }),
    );

    await client.getPlayback(
      camera.id,
      new Date('2024-05-01T11:50:00Z'),
      new Date('2024-05-01T12:00:00Z'),
    );

    const url = new URL(fetch.requests[0]?.url ?? '', 'http://localhost');
    expect(url.pathname).toBe(`/api/playback/${camera.id}`);
    expect(url.searchParams.get('start')).toBe('2024-05-01T11:50:00.000Z');
    expect(url.searchParams.get('end')).toBe('2024-05-01T12:00:00.000Z');
  });

  it('refuses to call without tokens', async () => {
    const fetch = fakeFetch(() => json(200, []));
    const client = new ApiClient({ fetch, tokens: new MemoryTokenStore() });

    await expect(client.listCameras()).rejects.toMatchObject({ code: NOT_AUTHENTICATED });
    expect(fetch.requests).toHaveLength(0);
  });
});

describe('WebStorageTokenStore', () => {
  it('keeps tokens in sessionStorage and ignores garbage', () => {
    const store = new WebStorageTokenStore(window.sessionStorage, 'test.tokens');
    expect(store.load()).toBeNull();
    store.save({ access: 'a', refresh: 'r' });
    expect(JSON.parse(window.sessionStorage.getItem('test.tokens') ?? 'null')).toEqual({
      access: 'a',
      refresh: 'r',
    });
    expect(store.load()).toEqual({ access: 'a', refresh: 'r' });
    window.sessionStorage.setItem('test.tokens', '{not json');
    expect(store.load()).toBeNull();
    store.clear();
    expect(window.sessionStorage.getItem('test.tokens')).toBeNull();
  });
});

describe('ApiClient live detections', () => {
  it('asks for detections after a cursor, for one camera, with a limit', async () => {
    const fetch = fakeFetch(() => json(200, { results: [], next_since: 7 }));
    const client = new ApiClient({ fetch, tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }) });

    expect(await client.listDetections({ cameraId: 'cam 1', since: 7, limit: 500 })).toEqual({
      results: [],
      next_since: 7,
    });
    await client.listDetections();

    expect(fetch.requests.map((request) => request.url)).toEqual([
      '/api/detections?camera_id=cam+1&since=7&limit=500',
      '/api/detections',
    ]);
    expect(fetch.requests[0]?.headers.get('Authorization')).toBe('Bearer a');
  });

  it('opens the socket on the page’s host with the access token', () => {
    const sockets = fakeSockets();
    const client = new ApiClient({
      fetch: fakeFetch(() => json(200, {})),
      tokens: new MemoryTokenStore({ access: 'a.b.c', refresh: 'r' }),
      openSocket: sockets,
    });

    client.openDetectionsSocket();
    client.openDetectionsSocket('cam-1');

    expect(sockets.opened.map((socket) => socket.url)).toEqual([
      `ws://${window.location.host}/ws/detections?token=a.b.c`,
      `ws://${window.location.host}/ws/detections?token=a.b.c&camera_id=cam-1`,
    ]);
  });

  it('opens no socket without a factory, and refuses to when signed out', () => {
    const plain = new ApiClient({ fetch: fakeFetch(() => json(200, {})), tokens: new MemoryTokenStore(null) });
    expect(plain.openDetectionsSocket()).toBeNull();

    const live = new ApiClient({
      fetch: fakeFetch(() => json(200, {})),
      tokens: new MemoryTokenStore(null),
      openSocket: fakeSockets(),
    });
    expect(() => live.openDetectionsSocket()).toThrow(ApiError);
  });
});

describe('ApiClient.me', () => {
  it('asks who is signed in, with their tenant, role and permissions', async () => {
    const { client, fetch } = signedInClient(() => json(200, me('operator')));

    await expect(client.me()).resolves.toEqual(me('operator'));

    expect(fetch.requests.map((r) => [r.method, r.url])).toEqual([['GET', '/api/me']]);
    expect(fetch.requests[0]?.headers.get('Authorization')).toBe('Bearer old-access');
  });

  it('keeps a user of no tenant and drops permissions it does not know', async () => {
    const body = { ...me('viewer'), tenant: null, permissions: ['view_stream', 'fly_drone'] };
    const { client } = signedInClient(() => json(200, body));

    await expect(client.me()).resolves.toEqual({ ...me('viewer'), tenant: null });
  });

  it('refuses an answer that is not a user', async () => {
    for (const body of [[], { ...me('viewer'), role: 'owner' }, { ...me('viewer'), permissions: 'all' }]) {
      const { client } = signedInClient(() => json(200, body));
      await expect(client.me()).rejects.toMatchObject({ code: 'invalid_response' });
    }
  });
});
