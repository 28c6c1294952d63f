import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { PlaybackRange } from '../api/types';
import { fakeEngine, fragments } from '../test/fakeEngine';
import { range, segment } from '../test/fixtures';
import { PlaybackController, rangeAround, type PlayerSnapshot } from './playbackController';

const NOW = Date.parse('2024-05-01T12:30:00Z');
const MIN = 60_000;

// Segments at 12:00 and 12:01, a gap until 12:02:30, then 12:02:30-12:03:30.
const a = segment(1, 0);
const b = segment(2, 60);
const c = segment(3, 150);
const playlist = fragments(
  ['2024-05-01T12:00:00Z', 60],
  ['2024-05-01T12:01:00Z', 60],
  ['2024-05-01T12:02:30Z', 60],
);

interface Load {
  start: Date;
  end: Date;
  resolve: (range: PlaybackRange) => void;
  reject: (error: unknown) => void;
}

function setup(now = NOW) {
  const loads: Load[] = [];
  const engine = fakeEngine();
  const snapshots: PlayerSnapshot[] = [];
  const positions: number[] = [];
  const controller = new PlaybackController({
    loadRange: (start, end) =>
      new Promise<PlaybackRange>((resolve, reject) => {
        loads.push({ start, end, resolve, reject });
      }),
    engine,
    video: document.createElement('video'),
    now: () => now,
    onChange: (snapshot) => snapshots.push(snapshot),
    onPosition: (time) => positions.push(time),
  });
  const lastLoad = () => {
    const load = loads[loads.length - 1];
    if (load === undefined) throw new Error('nothing was loaded');
    return load;
  };
  return { controller, engine, loads, lastLoad, snapshots, positions };
}

async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

function iso(time: number | null | undefined): string | null {
  return time == null ? null : new Date(time).toISOString();
}

describe('rangeAround', () => {
  it('loads half an hour either side of the time, never past now', () => {
    const t = Date.parse('2024-05-01T12:01:00Z');
    expect(rangeAround(t, NOW)).toEqual({ start: t - 30 * MIN, end: NOW });
    expect(rangeAround(t, t + 90 * MIN)).toEqual({ start: t - 30 * MIN, end: t + 30 * MIN });
    expect(rangeAround(null, NOW)).toEqual({ start: NOW - 30 * MIN, end: NOW });
    expect(rangeAround(NOW + MIN, NOW)).toEqual({ start: NOW - 30 * MIN, end: NOW });
  });
});

describe('PlaybackController', () => {
  it('plays the latest recording of the last half hour from the start of its last segment', async () => {
    const { controller, engine, lastLoad, positions } = setup();
    controller.seekTo(null);
    expect(controller.state.phase).toBe('loading');
    expect(lastLoad().start.toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(lastLoad().end.toISOString()).toBe('2024-05-01T12:30:00.000Z');

    const loaded = range([a, b, c]);
    lastLoad().resolve(loaded);
    await settle();
    expect(engine.last().url).toBe(loaded.hls_url);
    expect(controller.state.range).toBe(loaded);

    engine.last().events.onPlaylist(playlist);
    expect(engine.last().seeks).toEqual([120]);
    expect(controller.state.phase).toBe('playing');
    expect(iso(controller.state.playingAt)).toBe('2024-05-01T12:02:30.000Z');
    expect(positions.map(iso)).toEqual(['2024-05-01T12:02:30.000Z']);
  });

  it('seeks within the loaded range without loading it again, and reports the wall clock', async () => {
    const { controller, engine, loads, lastLoad, positions } = setup();
    controller.seekTo(null);
    lastLoad().resolve(range([a, b, c]));
    await settle();
    engine.last().events.onPlaylist(playlist);

    controller.seekTo(Date.parse('2024-05-01T12:01:15Z'));
    expect(loads).toHaveLength(1);
    expect(engine.last().seeks).toEqual([120, 75]);

    controller.positionChanged(130);
    expect(iso(controller.state.playingAt)).toBe('2024-05-01T12:02:40.000Z');
    expect(iso(positions[positions.length - 1])).toBe('2024-05-01T12:02:40.000Z');
  });

  it('goes to the next recorded time when the requested one is in a gap, and says so', async () => {
    const { controller, engine, lastLoad } = setup();
    controller.seekTo(Date.parse('2024-05-01T12:02:00Z'));
    expect(lastLoad().start.toISOString()).toBe('2024-05-01T11:32:00.000Z');
    expect(lastLoad().end.toISOString()).toBe('2024-05-01T12:30:00.000Z');
    lastLoad().resolve(range([a, b, c]));
    await settle();
    engine.last().events.onPlaylist(playlist);

    expect(engine.last().seeks).toEqual([120]);
    expect(iso(controller.state.playingAt)).toBe('2024-05-01T12:02:30.000Z');
    expect(controller.state.notice).toBe(
      'No recording at 12:02:00; playing from the next recorded time, 12:02:30.',
    );
  });

  it('loads a new range for a time outside the loaded one', async () => {
    const { controller, engine, loads, lastLoad } = setup();
    controller.seekTo(null);
    lastLoad().resolve(range([a, b, c]));
    await settle();
    engine.last().events.onPlaylist(playlist);
    const first = engine.last();

    controller.seekTo(Date.parse('2024-05-01T10:00:00Z'));
    expect(loads).toHaveLength(2);
    expect(first.destroyed).toBe(true);
    expect(controller.state.phase).toBe('loading');
    expect(lastLoad().start.toISOString()).toBe('2024-05-01T09:30:00.000Z');
    expect(lastLoad().end.toISOString()).toBe('2024-05-01T10:30:00.000Z');
  });

  it('says there is no recording when the range has no playable segment', async () => {
    const { controller, engine, lastLoad } = setup();
    controller.seekTo(null);
    lastLoad().resolve(range([segment(9, 0, 60, 'corrupt')]));
    await settle();
    expect(controller.state.phase).toBe('empty');
    expect(controller.state.message).toMatch(/^No recording in this range/);
    expect(engine.sessions).toHaveLength(0);
  });

  it('pauses and says so when nothing is recorded after the requested time', async () => {
    const { controller, engine, lastLoad } = setup();
    controller.seekTo(Date.parse('2024-05-01T12:10:00Z'));
    lastLoad().resolve(range([a, b, c]));
    await settle();
    engine.last().events.onPlaylist(playlist);
    expect(controller.state.phase).toBe('empty');
    expect(controller.state.message).toBe('No recording from 12:10:00 to 12:30:00.');
    expect(engine.last().paused).toBe(1);
  });

  it('shows the API’s message when the range cannot be loaded, and the engine’s on a fatal error', async () => {
    const { controller, engine, lastLoad } = setup();
    controller.seekTo(null);
    lastLoad().reject(new ApiError('Range too long.', 'invalid_range', {}, 400));
    await settle();
    expect(controller.state).toMatchObject({ phase: 'error', message: 'Range too long.' });

    controller.seekTo(null);
    lastLoad().resolve(range([a]));
    await settle();
    engine.last().events.onFatalError('The recording could not be played.');
    expect(controller.state).toMatchObject({ phase: 'error', message: 'The recording could not be played.' });
  });

  it('ignores the answer of a load that a newer seek replaced', async () => {
    const { controller, engine, loads } = setup();
    controller.seekTo(Date.parse('2024-05-01T10:00:00Z'));
    controller.seekTo(Date.parse('2024-05-01T12:01:00Z'));
    loads[0]?.resolve(range([segment(7, -7200)]));
    await settle();
    expect(engine.sessions).toHaveLength(0);
    loads[1]?.resolve(range([a, b, c]));
    await settle();
    expect(engine.sessions).toHaveLength(1);
  });

  it('continues with the next range when the video ends before now', async () => {
    const { controller, engine, loads, lastLoad } = setup(Date.parse('2024-05-01T18:00:00Z'));
    controller.seekTo(Date.parse('2024-05-01T12:01:00Z'));
    lastLoad().resolve(range([a, b, c]));
    await settle();
    engine.last().events.onPlaylist(playlist);

    controller.ended();
    expect(loads).toHaveLength(2);
    // Around the end of the last fragment, 12:03:30.
    expect(lastLoad().start.toISOString()).toBe('2024-05-01T11:33:30.000Z');
    expect(lastLoad().end.toISOString()).toBe('2024-05-01T12:33:30.000Z');
  });

  it('stops quietly at the end of the recording so far', async () => {
    const { controller, engine, loads, lastLoad } = setup();
    controller.seekTo(null);
    lastLoad().resolve(range([a, b, c]));
    await settle();
    engine.last().events.onPlaylist(playlist);
    controller.ended();
    expect(loads).toHaveLength(1);
    expect(controller.state.notice).toBe('End of the recording so far (12:03:30).');
  });

  it('destroys the session and ignores late events once destroyed', async () => {
    const { controller, engine, lastLoad, snapshots } = setup();
    controller.seekTo(null);
    lastLoad().resolve(range([a]));
    await settle();
    controller.destroy();
    expect(engine.last().destroyed).toBe(true);
    const count = snapshots.length;
    engine.last().events.onPlaylist(playlist);
    expect(snapshots).toHaveLength(count);
  });
});
