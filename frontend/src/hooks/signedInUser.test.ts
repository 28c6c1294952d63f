import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import { apiError, fakeFetch, json, type FakeResponse } from '../test/fakeFetch';
import { me } from '../test/me';
import { signedInUserOf, userCan, type SignedInUser } from './signedInUser';

/** A client whose `/api/me` answers `answer(n)` to its n-th request (from 0); logins give tokens. */
function setup(answer: (n: number) => FakeResponse | Promise<FakeResponse>, signedIn = true) {
  let asked = 0;
  const fetch = fakeFetch((request) => {
    if (request.url === '/api/auth/login') return json(200, { access: 'a2', refresh: 'r2' });
    if (request.url === '/api/me') return answer(asked++);
    return json(404, apiError('Not found.', 'not_found'));
  });
  const tokens = new MemoryTokenStore(signedIn ? { access: 'a', refresh: 'r' } : null);
  const client = new ApiClient({ fetch, tokens });
  const store = signedInUserOf(client);
  const seen: SignedInUser[] = [];
  const watch = () => store.subscribe(() => seen.push(store.getSnapshot()));
  const meRequests = () => fetch.requests.filter((r) => r.url === '/api/me').length;
  return { client, store, seen, watch, meRequests };
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

async function settled(store: ReturnType<typeof signedInUserOf>, status: SignedInUser['status']) {
  await expect.poll(() => store.getSnapshot().status).toBe(status);
}

describe('SignedInUserStore', () => {
  it('fetches the user once for everyone who asks, and tells them when it is known', async () => {
    const { client, store, seen, watch, meRequests } = setup(() => json(200, me('operator')));
    expect(signedInUserOf(client)).toBe(store);
    expect(store.getSnapshot()).toEqual({ status: 'loading' });

    watch();
    watch();
    await settled(store, 'ready');

    expect(meRequests()).toBe(1);
    expect(store.getSnapshot()).toEqual({ status: 'ready', me: me('operator') });
    expect(seen).toHaveLength(2);
    watch();
    expect(meRequests()).toBe(1);
    expect(userCan(store.getSnapshot(), 'control_camera')).toBe(true);
    expect(userCan(store.getSnapshot(), 'manage_config')).toBe(false);
  });

  it('asks nothing while signed out, and fetches again for each new sign-in', async () => {
    const users = [me('viewer', 'carol'), me('admin', 'dave', 8)];
    const { client, store, watch, meRequests } = setup((n) => json(200, users[n]), false);
    watch();
    expect(meRequests()).toBe(0);

    await client.login('carol', 'pw');
    await settled(store, 'ready');
    expect(store.getSnapshot()).toMatchObject({ me: { username: 'carol', role: 'viewer' } });
    expect(userCan(store.getSnapshot(), 'control_camera')).toBe(false);

    client.signOut();
    expect(store.getSnapshot()).toEqual({ status: 'loading' });
    await client.login('dave', 'pw');
    await settled(store, 'ready');
    expect(store.getSnapshot()).toMatchObject({ me: { username: 'dave', role: 'admin' } });
    expect(meRequests()).toBe(2);
  });

  it('drops an answer for the previous session', async () => {
    const late = deferred<FakeResponse>();
    const { client, store, watch } = setup((n) => (n === 0 ? late.promise : json(200, me('viewer', 'erin'))));
    watch();

    client.signOut();
    await client.login('erin', 'pw');
    await settled(store, 'ready');
    late.resolve(json(200, me('admin', 'carol')));
    await late.promise;
    await new Promise((done) => setTimeout(done, 0));

    expect(store.getSnapshot()).toMatchObject({ me: { username: 'erin', role: 'viewer' } });
  });

  it('reports a failure, and tries again when someone new asks', async () => {
    const { store, watch, meRequests } = setup((n) =>
      n === 0 ? json(503, apiError('Database unavailable.', 'server_error')) : json(200, me('operator')),
    );
    watch();
    await settled(store, 'failed');
    expect(store.getSnapshot()).toEqual({ status: 'failed', error: 'Database unavailable.' });
    expect(userCan(store.getSnapshot(), 'view_stream')).toBe(false);

    watch();
    await settled(store, 'ready');
    expect(meRequests()).toBe(2);
  });
});

