import { describe, expect, it } from 'vitest';
import { range, segment } from '../test/fixtures';
import { initialPlaybackState, playbackReducer, type PlaybackState } from './playbackState';
import { currentSegment } from './sequence';

const a = segment(1, 0);
const b = segment(2, 60, 60, 'corrupt');
const c = segment(3, 120);
const d = segment(4, 180);

function load(state: PlaybackState, ...segments: ReturnType<typeof segment>[]): PlaybackState {
  return playbackReducer(state, { type: 'loaded', range: range(segments) });
}

describe('playbackReducer', () => {
  it('starts with the last segment, plays newer ones as they arrive', () => {
    let state = load(initialPlaybackState, a, b, c);
    expect(currentSegment(state.selection)?.id).toBe(3);

    state = playbackReducer(state, { type: 'ended', segment: c });
    expect(state.selection.kind).toBe('waiting');
    expect(currentSegment(state.selection)).toBeNull();

    state = load(state, a, b, c, d);
    expect(currentSegment(state.selection)?.id).toBe(4);
  });

  it('plays a clicked segment, never a corrupt one, and continues from it', () => {
    let state = load(initialPlaybackState, a, b, c);
    state = playbackReducer(state, { type: 'select', segment: b });
    expect(currentSegment(state.selection)?.id).toBe(3);

    state = playbackReducer(state, { type: 'select', segment: a });
    expect(currentSegment(state.selection)?.id).toBe(1);

    state = playbackReducer(state, { type: 'ended', segment: a });
    expect(currentSegment(state.selection)?.id).toBe(3);
  });

  it('ignores an ended event from a segment no longer playing', () => {
    let state = load(initialPlaybackState, a, c);
    state = playbackReducer(state, { type: 'select', segment: a });
    const next = playbackReducer(state, { type: 'ended', segment: c });
    expect(next).toBe(state);
  });

  it('skips a segment that fails to play and keeps a notice', () => {
    let state = load(initialPlaybackState, a, c);
    state = playbackReducer(state, { type: 'select', segment: a });
    state = playbackReducer(state, { type: 'playbackFailed', segment: a, message: 'bad' });
    expect(currentSegment(state.selection)?.id).toBe(3);
    expect(state.notice).toBe('bad');
  });

  it('keeps the last range when a poll fails, and clears the error on success', () => {
    let state = load(initialPlaybackState, a);
    state = playbackReducer(state, { type: 'failed', message: 'offline' });
    expect(state.error).toBe('offline');
    expect(state.range?.segments).toHaveLength(1);
    state = load(state, a, c);
    expect(state.error).toBeNull();
    expect(state.range?.segments).toHaveLength(2);
  });
});
