import type { PlaybackRange, Segment } from '../api/types';

export const CAMERA_ID = '6f1c1a52-3c0f-4f4e-9d0a-1b2c3d4e5f60';

/** A segment starting `offsetSeconds` after 12:00:00 UTC on 2024-05-01. */
export function segment(
  id: number,
  offsetSeconds: number,
  durationSeconds = 60,
  status: Segment['status'] = 'ok',
): Segment {
  const base = Date.parse('2024-05-01T12:00:00Z');
  const start = new Date(base + offsetSeconds * 1000).toISOString();
  const end = new Date(base + (offsetSeconds + durationSeconds) * 1000).toISOString();
  return {
    id,
    start,
    end,
    duration: durationSeconds,
    url: `/api/playback/segments/${id}/file?sig=s${id}`,
    status,
  };
}

export function range(
  segments: Segment[],
  gaps: PlaybackRange['gaps'] = [],
  start = '2024-05-01T11:55:00Z',
  end = '2024-05-01T12:05:00Z',
): PlaybackRange {
  const query = new URLSearchParams({ start, end, exp: '1', sig: 'x' });
  return {
    camera_id: CAMERA_ID,
    start,
    end,
    segments,
    gaps,
    hls_url: `/api/playback/${CAMERA_ID}/playlist.m3u8?${query.toString()}`,
  };
}
