import type { PlaybackRange, Segment } from '../api/types';

/** What the player is doing with the segment list. */
export type Selection =
  /** Nothing chosen yet: start with the most recent playable segment once there is one. */
  | { kind: 'auto' }
  /** Playing this segment. */
  | { kind: 'playing'; segment: Segment }
  /** `after` finished and no newer segment exists yet: play the next one as soon as it appears. */
  | { kind: 'waiting'; after: Segment };

export const AUTO: Selection = { kind: 'auto' };

function time(iso: string): number {
  return Date.parse(iso);
}

/** Chronological order: by start, then by id for identical starts. */
export function compareSegments(a: Segment, b: Segment): number {
  return time(a.start) - time(b.start) || a.id - b.id;
}

export function isPlayable(segment: Segment): boolean {
  return segment.status === 'ok';
}

/** The segment to start with: the most recent playable one. */
export function startSegment(segments: readonly Segment[]): Segment | null {
  const ordered = [...segments].sort(compareSegments);
  for (let i = ordered.length - 1; i >= 0; i -= 1) {
    const segment = ordered[i];
    if (segment !== undefined && isPlayable(segment)) return segment;
  }
  return null;
}

/**
 * The playable segment that follows `current`, skipping corrupt ones.
 * Works by time, so `current` need not be in `segments` any more.
 */
export function nextSegment(segments: readonly Segment[], current: Segment): Segment | null {
  const ordered = [...segments].sort(compareSegments);
  for (const segment of ordered) {
    if (segment.id !== current.id && compareSegments(segment, current) > 0 && isPlayable(segment)) {
      return segment;
    }
  }
  return null;
}

/**
 * Merge freshly polled segments into the current list: the union by id, where the
 * polled copy wins (its status or signed URL may have changed), in chronological order.
 * Segments that ended before `keepFrom` (the new range's start) are dropped.
 */
export function mergeSegments(
  current: readonly Segment[],
  incoming: readonly Segment[],
  keepFrom?: string,
): Segment[] {
  const byId = new Map<number, Segment>();
  for (const segment of current) byId.set(segment.id, segment);
  for (const segment of incoming) byId.set(segment.id, segment);
  const cutoff = keepFrom === undefined ? Number.NEGATIVE_INFINITY : time(keepFrom);
  return [...byId.values()].filter((segment) => time(segment.end) > cutoff).sort(compareSegments);
}

/**
 * Merge a newly polled range into the one on screen. The new range's bounds and gaps
 * replace the old ones (gaps are computed by the server for that window).
 */
export function mergeRange(current: PlaybackRange | null, incoming: PlaybackRange): PlaybackRange {
  if (current === null || current.camera_id !== incoming.camera_id) {
    return { ...incoming, segments: mergeSegments([], incoming.segments) };
  }
  return {
    ...incoming,
    segments: mergeSegments(current.segments, incoming.segments, incoming.start),
  };
}

/** Bring a selection up to date with a (new) segment list. */
export function reconcileSelection(selection: Selection, segments: readonly Segment[]): Selection {
  switch (selection.kind) {
    case 'auto': {
      const first = startSegment(segments);
      return first === null ? selection : { kind: 'playing', segment: first };
    }
    case 'waiting': {
      const next = nextSegment(segments, selection.after);
      return next === null ? selection : { kind: 'playing', segment: next };
    }
    case 'playing':
      return selection;
  }
}

/** The selection after `finished` stops playing (ended or failed). */
export function advanceSelection(segments: readonly Segment[], finished: Segment): Selection {
  const next = nextSegment(segments, finished);
  return next === null ? { kind: 'waiting', after: finished } : { kind: 'playing', segment: next };
}

/** The segment currently loaded in the player, if any. */
export function currentSegment(selection: Selection): Segment | null {
  return selection.kind === 'playing' ? selection.segment : null;
}
