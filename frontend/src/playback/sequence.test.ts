import { describe, expect, it } from 'vitest';
import { range, segment } from '../test/fixtures';
import {
  AUTO,
  advanceSelection,
  mergeRange,
  mergeSegments,
  nextSegment,
  reconcileSelection,
  startSegment,
} from './sequence';

const a = segment(1, 0);
const b = segment(2, 60);
const c = segment(3, 120);
const brokenB = segment(2, 60, 60, 'corrupt');
const brokenC = segment(3, 120, 60, 'corrupt');
const d = segment(4, 180);

describe('startSegment', () => {
  it('starts with the most recent segment', () => {
    expect(startSegment([a, b, c])?.id).toBe(3);
  });

  it('skips a corrupt last segment', () => {
    expect(startSegment([a, b, brokenC])?.id).toBe(2);
  });

  it('does not trust the input order', () => {
    expect(startSegment([c, a, b])?.id).toBe(3);
  });

  it('returns null when nothing is playable', () => {
    expect(startSegment([])).toBeNull();
    expect(startSegment([brokenB, brokenC])).toBeNull();
  });
});

describe('nextSegment', () => {
  it('returns the following segment', () => {
    expect(nextSegment([a, b, c], a)?.id).toBe(2);
    expect(nextSegment([a, b, c], b)?.id).toBe(3);
  });

  it('skips corrupt segments', () => {
    expect(nextSegment([a, brokenB, c], a)?.id).toBe(3);
    expect(nextSegment([a, brokenB, brokenC, d], a)?.id).toBe(4);
  });

  it('returns null after the last playable segment', () => {
    expect(nextSegment([a, b, c], c)).toBeNull();
    expect(nextSegment([a, b, brokenC], b)).toBeNull();
  });

  it('works when the current segment has left the list', () => {
    expect(nextSegment([b, c], a)?.id).toBe(2);
  });
});

describe('mergeSegments', () => {
  it('adds new segments in chronological order without duplicates', () => {
    const merged = mergeSegments([a, b], [b, d, c]);
    expect(merged.map((s) => s.id)).toEqual([1, 2, 3, 4]);
  });

  it('lets the polled copy win', () => {
    const resigned = { ...b, url: '/api/playback/segments/2/file?sig=new' };
    const merged = mergeSegments([a, b], [resigned, brokenC]);
    expect(merged.find((s) => s.id === 2)?.url).toBe('/api/playback/segments/2/file?sig=new');
    expect(merged.find((s) => s.id === 3)?.status).toBe('corrupt');
  });

  it('drops segments that ended before the new window', () => {
    // a ends at 12:01:00, b at 12:02:00.
    const merged = mergeSegments([a, b], [c], '2024-05-01T12:01:30Z');
    expect(merged.map((s) => s.id)).toEqual([2, 3]);
  });
});

describe('mergeRange', () => {
  it('takes the first range as is', () => {
    const incoming = range([b, a]);
    const merged = mergeRange(null, incoming);
    expect(merged.segments.map((s) => s.id)).toEqual([1, 2]);
    expect(merged.start).toBe(incoming.start);
  });

  it('merges a newer poll and replaces bounds and gaps', () => {
    const first = range([a, b], [{ start: b.end, end: d.start }]);
    const gaps = [{ start: c.end, end: d.start }];
    const second = range([b, c, d], gaps, '2024-05-01T12:01:30Z', '2024-05-01T12:11:30Z');
    const merged = mergeRange(first, second);
    expect(merged.segments.map((s) => s.id)).toEqual([2, 3, 4]);
    expect(merged.gaps).toEqual(gaps);
    expect(merged.start).toBe('2024-05-01T12:01:30Z');
    expect(merged.end).toBe('2024-05-01T12:11:30Z');
  });
});

describe('selection', () => {
  it('auto picks the most recent playable segment once one exists', () => {
    expect(reconcileSelection(AUTO, [])).toEqual(AUTO);
    expect(reconcileSelection(AUTO, [a, b])).toEqual({ kind: 'playing', segment: b });
  });

  it('keeps playing the chosen segment when newer ones arrive', () => {
    const playing = { kind: 'playing', segment: b } as const;
    expect(reconcileSelection(playing, [a, b, c, d])).toBe(playing);
  });

  it('advances to the next segment on end, or waits for one', () => {
    expect(advanceSelection([a, brokenB, c], a)).toEqual({ kind: 'playing', segment: c });
    expect(advanceSelection([a, b], b)).toEqual({ kind: 'waiting', after: b });
  });

  it('resumes a waiting player when a newer segment is polled', () => {
    const waiting = { kind: 'waiting', after: b } as const;
    expect(reconcileSelection(waiting, [a, b])).toBe(waiting);
    expect(reconcileSelection(waiting, [a, b, brokenC])).toBe(waiting);
    expect(reconcileSelection(waiting, [a, b, brokenC, d])).toEqual({ kind: 'playing', segment: d });
  });
});
