import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useApi } from '../api/ApiContext';
import { DetectionFeed, type FeedOptions, type FeedSnapshot } from './detectionFeed';

export type { FeedSnapshot, FeedState } from './detectionFeed';

export interface UseDetectionsOptions {
  /** One camera's detections only. */
  cameraId?: string;
  /** How many detections to keep (200). */
  keep?: number;
}

/**
 * The live detections of the user's tenant (or of one camera), newest first, without holes
 * or duplicates across reconnections, and the state of the connection. See DetectionFeed.
 */
export function useDetections({ cameraId, keep }: UseDetectionsOptions = {}): FeedSnapshot {
  const client = useApi();
  const feed = useMemo(() => {
    const options: FeedOptions = {};
    if (cameraId !== undefined) options.cameraId = cameraId;
    if (keep !== undefined) options.keep = keep;
    return new DetectionFeed(client, options);
  }, [client, cameraId, keep]);

  useEffect(() => {
    feed.start();
    return () => {
      feed.stop();
    };
  }, [feed]);

  return useSyncExternalStore(feed.subscribe, feed.getSnapshot);
}
