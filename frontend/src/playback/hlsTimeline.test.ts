import { describe, expect, it } from 'vitest';
import { fragments } from '../test/fakeEngine';
import { latestPosition, nextFragmentStart, positionFor, recordingEnd, wallClockAt } from './hlsTimeline';

// Two minute-long segments, a 30 s gap, then a third: media positions 0-60, 60-120, 120-180.
const frags = fragments(
  ['2024-05-01T12:00:00Z', 60],
  ['2024-05-01T12:01:00Z', 60],
  ['2024-05-01T12:02:30Z', 60],
);

function iso(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

describe('wallClockAt', () => {
  it('maps positions through each fragment’s program date time, jumping over the gap', () => {
    expect(iso(wallClockAt(frags, 0))).toBe('2024-05-01T12:00:00.000Z');
    expect(iso(wallClockAt(frags, 90.5))).toBe('2024-05-01T12:01:30.500Z');
    expect(iso(wallClockAt(frags, 119.9))).toBe('2024-05-01T12:01:59.900Z');
    expect(iso(wallClockAt(frags, 120))).toBe('2024-05-01T12:02:30.000Z');
    expect(iso(wallClockAt(frags, 150))).toBe('2024-05-01T12:03:00.000Z');
  });

  it('stops at the end of the last fragment and knows nothing before the first', () => {
    expect(iso(wallClockAt(frags, 500))).toBe('2024-05-01T12:03:30.000Z');
    expect(wallClockAt(frags, -1)).toBeNull();
    expect(wallClockAt([], 3)).toBeNull();
  });
});

describe('positionFor', () => {
  it('finds the position of a recorded time', () => {
    expect(positionFor(frags, Date.parse('2024-05-01T12:01:15Z'))).toEqual({ kind: 'exact', position: 75 });
    expect(positionFor(frags, Date.parse('2024-05-01T12:02:30Z'))).toEqual({ kind: 'exact', position: 120 });
  });

  it('moves a time in a gap, or before the first recording, to the next recorded time', () => {
    expect(positionFor(frags, Date.parse('2024-05-01T12:02:10Z'))).toEqual({
      kind: 'later',
      position: 120,
      at: Date.parse('2024-05-01T12:02:30Z'),
    });
    expect(positionFor(frags, Date.parse('2024-05-01T11:00:00Z'))).toEqual({
      kind: 'later',
      position: 0,
      at: Date.parse('2024-05-01T12:00:00Z'),
    });
  });

  it('says when nothing is recorded at or after the time', () => {
    expect(positionFor(frags, Date.parse('2024-05-01T12:03:30Z'))).toEqual({ kind: 'none' });
  });
});

describe('latest and end', () => {
  it('starts the latest recording at the last fragment and ends at its end', () => {
    expect(latestPosition(frags)).toEqual({ position: 120, at: Date.parse('2024-05-01T12:02:30Z') });
    expect(iso(recordingEnd(frags))).toBe('2024-05-01T12:03:30.000Z');
    expect(latestPosition([])).toBeNull();
    expect(recordingEnd([{ start: 0, duration: 5, programDateTime: null }])).toBeNull();
  });
});

describe('nextFragmentStart', () => {
  it('is where the next recorded segment starts, across a gap too, and nothing in the last one', () => {
    expect(nextFragmentStart(frags, 0)).toBe(60);
    expect(nextFragmentStart(frags, 119.9)).toBe(120);
    expect(nextFragmentStart(frags, 120)).toBeNull();
    expect(nextFragmentStart([], 3)).toBeNull();
  });
});
