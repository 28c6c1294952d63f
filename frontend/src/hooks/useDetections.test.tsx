import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { ApiProvider } from '../api/ApiContext';
import { ApiClient } from '../api/client';
import { MemoryTokenStore } from '../api/tokens';
import { detection } from '../test/detections';
import { fakeFetch, json } from '../test/fakeFetch';
import { fakeSockets } from '../test/fakeSocket';
import { useDetections } from './useDetections';

function setup() {
  const fetch = fakeFetch(() => json(200, { results: [detection(1)], next_since: 1 }));
  const sockets = fakeSockets();
  const client = new ApiClient({
    fetch,
    tokens: new MemoryTokenStore({ access: 'a', refresh: 'r' }),
    openSocket: sockets,
  });
  const wrapper = ({ children }: { children: ReactNode }) => <ApiProvider client={client}>{children}</ApiProvider>;
  return { sockets, wrapper };
}

describe('useDetections', () => {
  it('goes live, re-renders with pushed detections and closes the socket on unmount', async () => {
    const { sockets, wrapper } = setup();
    const { result, unmount } = renderHook(() => useDetections(), { wrapper });
    expect(result.current.state).toBe('connecting');

    act(() => {
      sockets.last().accept();
    });
    await waitFor(() => {
      expect(result.current.state).toBe('live');
    });
    act(() => {
      sockets.last().push({ type: 'detection', detection: detection(2) });
    });
    expect(result.current.detections.map((d) => d.id)).toEqual([2, 1]);

    const socket = sockets.last();
    unmount();
    expect(socket.closedByClient).toBe(true);
  });

  it('opens a new socket for another camera', () => {
    const { sockets, wrapper } = setup();
    const { rerender } = renderHook(({ cameraId }) => useDetections({ cameraId }), {
      wrapper,
      initialProps: { cameraId: 'cam-1' },
    });
    const first = sockets.last();

    rerender({ cameraId: 'cam-2' });

    expect(first.closedByClient).toBe(true);
    expect(sockets.last().params.get('camera_id')).toBe('cam-2');
  });
});
