import { errorMessage, isAbortError } from '../api/client';
import type { PlaybackRange } from '../api/types';
import { formatDateTime } from '../format/time';
import {
  latestPosition,
  positionFor,
  recordingEnd,
  wallClockAt,
  type PlaylistFragment,
} from './hlsTimeline';
import type { StreamEngine, StreamSession } from './streamEngine';

/** Half of the range loaded around a requested time. */
export const RANGE_HALF_MS = 30 * 60 * 1000;

export type PlayerPhase = 'loading' | 'playing' | 'empty' | 'error';

export interface PlayerSnapshot {
  phase: PlayerPhase;
  /** The range the player loaded; null while loading or after a failed load. */
  range: PlaybackRange | null;
  /** Why nothing plays (`empty`, `error`). */
  message: string | null;
  /** Something to know while playing, e.g. that the requested time was not recorded. */
  notice: string | null;
  /** Wall-clock time of the frame on screen, epoch ms. */
  playingAt: number | null;
}

export const initialSnapshot: PlayerSnapshot = {
  phase: 'loading',
  range: null,
  message: null,
  notice: null,
  playingAt: null,
};

export interface PlaybackControllerDeps {
  loadRange: (start: Date, end: Date, signal: AbortSignal) => Promise<PlaybackRange>;
  engine: StreamEngine;
  video: HTMLVideoElement;
  now: () => number;
  onChange: (snapshot: PlayerSnapshot) => void;
  onPosition: (time: number) => void;
}

interface Bounds {
  start: number;
  end: number;
}

/**
 * The range to load to show `time` (epoch ms): 30 minutes either side, never past now.
 * `null` means the latest recording: the 30 minutes before now.
 */
export function rangeAround(time: number | null, now: number): Bounds {
  if (time === null || time >= now) return { start: now - RANGE_HALF_MS, end: now };
  return { start: time - RANGE_HALF_MS, end: Math.min(time + RANGE_HALF_MS, now) };
}


function hasPlayable(range: PlaybackRange): boolean {
  return range.segments.some((segment) => segment.status === 'ok');
}

interface Loaded {
  bounds: Bounds;
  range: PlaybackRange;
  /** Set right after the engine starts; engines report events only after returning it. */
  session: StreamSession | null;
  /** Null until the playlist is parsed. */
  fragments: readonly PlaylistFragment[] | null;
}

/**
 * Loads the HLS range around a requested wall-clock time, seeks to it (or to the next recorded
 * time when it falls in a gap), and maps the player's position back to wall-clock time.
 * Framework-free; the React component forwards video events and renders snapshots.
 */
export class PlaybackController {
  private readonly deps: PlaybackControllerDeps;
  private snapshot: PlayerSnapshot = initialSnapshot;
  private loaded: Loaded | null = null;
  private abort: AbortController | null = null;
  /** Bumped on every load, so answers and events of an older load are ignored. */
  private generation = 0;
  private destroyed = false;

  constructor(deps: PlaybackControllerDeps) {
    this.deps = deps;
  }

  get state(): PlayerSnapshot {
    return this.snapshot;
  }

  /** Show wall-clock `time` (epoch ms); null (or a future time) plays the latest recording. */
  seekTo(time: number | null): void {
    if (this.destroyed) return;
    const now = this.deps.now();
    const target = time !== null && time < now ? time : null;
    const loaded = this.loaded;
    if (
      target !== null &&
      loaded?.fragments != null &&
      target >= loaded.bounds.start &&
      target < loaded.bounds.end
    ) {
      this.applyTarget(loaded, target);
      return;
    }
    this.load(target, now);
  }

  /** The video element's position changed (timeupdate). */
  positionChanged(position: number): void {
    const fragments = this.loaded?.fragments;
    if (fragments == null || this.snapshot.phase !== 'playing') return;
    const time = wallClockAt(fragments, position);
    if (time === null || time === this.snapshot.playingAt) return;
    this.update({ playingAt: time });
    this.deps.onPosition(time);
  }

  /** The video reached the end of the loaded range: continue with the next recording, if any. */
  ended(): void {
    const loaded = this.loaded;
    if (loaded?.fragments == null) return;
    const end = recordingEnd(loaded.fragments);
    if (end === null) return;
    if (loaded.bounds.end >= this.deps.now() - 1000) {
      this.update({ notice: `End of the recording so far (${this.at(end)}).` });
      return;
    }
    this.load(end, this.deps.now());
  }

  destroy(): void {
    this.destroyed = true;
    this.generation += 1;
    this.abort?.abort();
    this.loaded?.session?.destroy();
    this.loaded = null;
  }

  /** A time for messages: the clock time, with the date unless it is today. */
  private at(time: number): string {
    return formatDateTime(new Date(time).toISOString(), new Date(this.deps.now()));
  }

  private update(change: Partial<PlayerSnapshot>): void {
    if (this.destroyed) return;
    this.snapshot = { ...this.snapshot, ...change };
    this.deps.onChange(this.snapshot);
  }

  private load(time: number | null, now: number): void {
    this.abort?.abort();
    this.loaded?.session?.destroy();
    this.loaded = null;
    const generation = ++this.generation;
    const abort = new AbortController();
    this.abort = abort;
    const bounds = rangeAround(time, now);
    if (this.snapshot.phase !== 'loading' || this.snapshot.range !== null) {
      this.update({ ...initialSnapshot, playingAt: this.snapshot.playingAt });
    }
    this.deps.loadRange(new Date(bounds.start), new Date(bounds.end), abort.signal).then(
      (range) => {
        if (generation !== this.generation) return;
        this.started(generation, bounds, range, time);
      },
      (error: unknown) => {
        if (generation !== this.generation || isAbortError(error)) return;
        this.update({ ...initialSnapshot, phase: 'error', message: errorMessage(error) });
      },
    );
  }

  private started(generation: number, bounds: Bounds, range: PlaybackRange, time: number | null): void {
    if (!hasPlayable(range)) {
      this.update({
        ...initialSnapshot,
        phase: 'empty',
        range,
        message: `No recording in this range (${this.at(bounds.start)} – ${this.at(bounds.end)}).`,
      });
      return;
    }
    this.update({ range });
    const loaded: Loaded = { bounds, range, session: null, fragments: null };
    this.loaded = loaded;
    loaded.session = this.deps.engine(this.deps.video, range.hls_url, {
      onPlaylist: (fragments) => {
        if (generation !== this.generation || loaded.fragments !== null) return;
        loaded.fragments = fragments;
        this.applyTarget(loaded, time);
      },
      onFatalError: (message) => {
        if (generation !== this.generation) return;
        this.update({ phase: 'error', message });
      },
    });
  }

  private applyTarget(loaded: Loaded, time: number | null): void {
    const fragments = loaded.fragments ?? [];
    if (time === null) {
      const latest = latestPosition(fragments);
      if (latest === null) {
        this.update({ phase: 'empty', message: 'No recording in this range.', notice: null });
        return;
      }
      this.play(loaded, latest.position, latest.at, null);
      return;
    }
    const found = positionFor(fragments, time);
    switch (found.kind) {
      case 'exact':
        this.play(loaded, found.position, time, null);
        return;
      case 'later':
        this.play(
          loaded,
          found.position,
          found.at,
          `No recording at ${this.at(time)}; playing from the next recorded time, ${this.at(found.at)}.`,
        );
        return;
      case 'none':
        loaded.session?.pause();
        this.update({
          phase: 'empty',
          message: `No recording from ${this.at(time)} to ${this.at(loaded.bounds.end)}.`,
          notice: null,
        });
    }
  }

  private play(loaded: Loaded, position: number, time: number, notice: string | null): void {
    loaded.session?.seek(position);
    this.update({ phase: 'playing', message: null, notice, playingAt: time });
    this.deps.onPosition(time);
  }
}
