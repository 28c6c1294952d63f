import { useCallback, useEffect, useReducer } from 'react';
import { errorMessage, isAbortError, type ApiClient } from '../api/client';
import type { Segment } from '../api/types';
import { initialPlaybackState, playbackReducer, type PlaybackState } from './playbackState';

export interface PlaybackOptions {
  /** Length of the window ending now, in ms. */
  windowMs: number;
  /** Delay between polls, in ms. */
  pollIntervalMs: number;
  now: () => Date;
}

export interface Playback extends PlaybackState {
  select: (segment: Segment) => void;
  ended: (segment: Segment) => void;
  failed: (segment: Segment, message: string) => void;
}

/**
 * Fetches [now - window, now] for a camera and polls it until unmount, keeping the
 * segment list, gaps and the segment to play in one reducer.
 */
export function usePlayback(client: ApiClient, cameraId: string, options: PlaybackOptions): Playback {
  const { windowMs, pollIntervalMs, now } = options;
  const [state, dispatch] = useReducer(playbackReducer, initialPlaybackState);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    async function poll() {
      const end = now();
      const start = new Date(end.getTime() - windowMs);
      try {
        const range = await client.getPlayback(cameraId, start, end, controller.signal);
        if (controller.signal.aborted) return;
        dispatch({ type: 'loaded', range });
      } catch (error) {
        if (controller.signal.aborted || isAbortError(error)) return;
        dispatch({ type: 'failed', message: errorMessage(error) });
      }
      timer = setTimeout(() => void poll(), pollIntervalMs);
    }

    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, cameraId, windowMs, pollIntervalMs, now]);

  const select = useCallback((segment: Segment) => {
    dispatch({ type: 'select', segment });
  }, []);
  const ended = useCallback((segment: Segment) => {
    dispatch({ type: 'ended', segment });
  }, []);
  const failed = useCallback((segment: Segment, message: string) => {
    dispatch({ type: 'playbackFailed', segment, message });
  }, []);

  return { ...state, select, ended, failed };
}
