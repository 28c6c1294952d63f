/** Shapes of the backend's JSON API. Timestamps are ISO-8601 strings in UTC. */

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface AccessToken {
  access: string;
  /** Present when the server rotates refresh tokens. */
  refresh?: string;
}

export interface Camera {
  id: string;
  name: string;
  enabled: boolean;
  last_segment_end: string | null;
}

export type SegmentStatus = 'ok' | 'corrupt';

export interface Segment {
  id: number;
  start: string;
  end: string;
  /** Seconds. */
  duration: number;
  /** Signed path a `<video src>` can play directly. */
  url: string;
  status: SegmentStatus;
}

export interface Gap {
  start: string;
  end: string;
}

export interface PlaybackRange {
  camera_id: string;
  start: string;
  end: string;
  /** Ordered by start. */
  segments: Segment[];
  gaps: Gap[];
}

export interface ApiErrorBody {
  message: string;
  code: string;
  extra: Record<string, unknown>;
}
