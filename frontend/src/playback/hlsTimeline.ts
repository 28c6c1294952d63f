/**
 * Mapping between the player's position (seconds on the media timeline of an HLS VOD playlist)
 * and wall-clock time, from the fragments' EXT-X-PROGRAM-DATE-TIME. Every recorded segment is
 * one fragment after a discontinuity, so wall-clock time jumps across gaps while the media
 * timeline stays continuous.
 */

/** What the player needs of a playlist fragment (hls.js `Fragment` objects fit this shape). */
export interface PlaylistFragment {
  /** Position on the media timeline, in seconds. */
  readonly start: number;
  /** Seconds. */
  readonly duration: number;
  /** Wall-clock time of the fragment's first frame, epoch ms; null without PROGRAM-DATE-TIME. */
  readonly programDateTime: number | null;
}

function wallStart(fragment: PlaylistFragment): number | null {
  return fragment.programDateTime;
}

function wallEnd(fragment: PlaylistFragment): number | null {
  return fragment.programDateTime === null ? null : fragment.programDateTime + fragment.duration * 1000;
}

/** Wall-clock time (epoch ms) at a media position, or null outside every dated fragment. */
export function wallClockAt(fragments: readonly PlaylistFragment[], position: number): number | null {
  let best: PlaylistFragment | null = null;
  for (const fragment of fragments) {
    if (fragment.programDateTime === null) continue;
    if (position >= fragment.start) best = fragment;
    else break;
  }
  if (best === null || best.programDateTime === null) return null;
  const offset = Math.min(position - best.start, best.duration);
  return best.programDateTime + offset * 1000;
}

export type PositionLookup =
  /** `time` is recorded: play from `position`. */
  | { kind: 'exact'; position: number }
  /** `time` falls in a gap (or before the first recording): the next recording starts at `at`. */
  | { kind: 'later'; position: number; at: number }
  /** Nothing recorded at or after `time` in this playlist. */
  | { kind: 'none' };

/** Where to seek to show wall-clock `time` (epoch ms). */
export function positionFor(fragments: readonly PlaylistFragment[], time: number): PositionLookup {
  for (const fragment of fragments) {
    const start = wallStart(fragment);
    const end = wallEnd(fragment);
    if (start === null || end === null) continue;
    if (time >= start && time < end) {
      return { kind: 'exact', position: fragment.start + (time - start) / 1000 };
    }
    if (start > time) return { kind: 'later', position: fragment.start, at: start };
  }
  return { kind: 'none' };
}

/** Start of the most recent fragment: where "play the latest recording" begins. */
export function latestPosition(
  fragments: readonly PlaylistFragment[],
): { position: number; at: number } | null {
  for (let i = fragments.length - 1; i >= 0; i -= 1) {
    const fragment = fragments[i];
    if (fragment?.programDateTime != null) {
      return { position: fragment.start, at: fragment.programDateTime };
    }
  }
  return null;
}

/** Wall-clock end of the last dated fragment, epoch ms. */
export function recordingEnd(fragments: readonly PlaylistFragment[]): number | null {
  for (let i = fragments.length - 1; i >= 0; i -= 1) {
    const fragment = fragments[i];
    const end = fragment === undefined ? null : wallEnd(fragment);
    if (end !== null) return end;
  }
  return null;
}

/** Media position where the fragment after the one playing at `position` starts; null in the last. */
export function nextFragmentStart(fragments: readonly PlaylistFragment[], position: number): number | null {
  for (const fragment of fragments) {
    if (fragment.start > position) return fragment.start;
  }
  return null;
}
