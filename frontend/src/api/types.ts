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

/** What a role lets its users do (`backend/apps/usuarios/permissions.py`). */
export type Permission = 'view_stream' | 'control_camera' | 'manage_config';

export type Role = 'viewer' | 'operator' | 'admin';

export interface Tenant {
  id: string;
  name: string;
}

/** The signed-in user (`GET /api/me`). */
export interface Me {
  id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  /** Null for a user of no tenant, who sees no cameras. */
  tenant: Tenant | null;
  role: Role;
  /** What the role lets the user do. */
  permissions: Permission[];
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
  /** Signed, absolute-path URL of the HLS VOD playlist for the same range; needs no Authorization header. */
  hls_url: string;
}

export interface TimelineBucket {
  start: string;
  /** Seconds recorded within the bucket. */
  recorded_s: number;
  /** Seconds of the past within the bucket that were not recorded. */
  gap_s: number;
  detections: number;
}

export interface Timeline {
  camera_id: string;
  start: string;
  end: string;
  /** Length of every bucket, in seconds. */
  bucket_s: number;
  buckets: TimelineBucket[];
}

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ExportJob {
  id: string;
  camera_id: string;
  start: string;
  end: string;
  status: ExportStatus;
  /** 0..1. */
  progress: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  sha256: string | null;
  /** Signed download URLs; null until the export is done. */
  clip_url: string | null;
  manifest_url: string | null;
}

export interface ApiErrorBody {
  message: string;
  code: string;
  extra: Record<string, unknown>;
}

/** A rectangle in a frame, as shares (0..1) of its width and height. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface DetectionLabel {
  name: string;
  /** 0..1. */
  confidence: number;
  box: Box | null;
}

export interface DetectionFace {
  confidence: number;
  box: Box;
}

/** What a detection provider found in one camera frame (`GET /api/detections`, `/ws/detections`). */
export interface Detection {
  /** Increases with every stored detection: the feed's cursor. */
  id: number;
  event_id: string;
  camera_id: string;
  captured_at: string;
  processed_at: string;
  provider: string;
  labels: DetectionLabel[];
  faces: DetectionFace[];
  trace_id: string;
}

export interface DetectionPage {
  /** Ascending id. */
  results: Detection[];
  /** The last id of `results`, or the `since` asked for when there are none. */
  next_since: number | null;
}

export interface DetectionQuery {
  cameraId?: string;
  /** Only detections with a greater id. */
  since?: number;
  /** 1..500; the server's default is 100. */
  limit?: number;
}
