import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineBucket } from '../api/types';
import {
  bucketSeconds,
  clampToNow,
  DAY,
  followPlayhead,
  HOUR,
  layoutTimeline,
  MINUTE,
  pan,
  SECOND,
  span,
  summarizeTimeline,
  tickLabel,
  tickStep,
  ticks,
  timeToX,
  WEEK,
  windowAround,
  xToTime,
  zoomAround,
} from './timelineScale';

// Tests run with TZ=UTC (vite.config.ts), so local time is UTC here.
const T0 = Date.parse('2024-05-01T12:00:00Z');
const NOW = Date.parse('2024-05-01T13:00:00Z');
const hour = { start: T0, end: T0 + HOUR };

function timeline(bucketS: number, buckets: Partial<TimelineBucket>[], start = T0): Timeline {
  return {
    camera_id: 'c',
    start: new Date(start).toISOString(),
    end: new Date(start + buckets.length * bucketS * 1000).toISOString(),
    bucket_s: bucketS,
    buckets: buckets.map((b, i) => ({
      start: new Date(start + i * bucketS * 1000).toISOString(),
      recorded_s: 0,
      gap_s: 0,
      detections: 0,
      ...b,
    })),
  };
}

describe('time <-> x', () => {
  it('maps the window onto the width and back', () => {
    expect(timeToX(hour, 600, T0)).toBe(0);
    expect(timeToX(hour, 600, T0 + 30 * MINUTE)).toBe(300);
    expect(timeToX(hour, 600, T0 + HOUR)).toBe(600);
    expect(xToTime(hour, 600, 150)).toBe(T0 + 15 * MINUTE);
    expect(xToTime(hour, 600, timeToX(hour, 600, T0 + 1234 * SECOND))).toBeCloseTo(T0 + 1234 * SECOND);
  });
});

describe('zoom and pan', () => {
  it('zooms around the anchor, keeping it at the same x', () => {
    const anchor = T0 + 15 * MINUTE; // a quarter in
    const zoomed = zoomAround(hour, 0.5, anchor, NOW);
    expect(span(zoomed)).toBe(30 * MINUTE);
    expect(timeToX(zoomed, 800, anchor)).toBeCloseTo(200);
  });

  it('zooms no closer than a minute and no further than a week', () => {
    expect(span(zoomAround(hour, 1e-6, T0, NOW))).toBe(MINUTE);
    expect(span(zoomAround(hour, 1e6, T0, NOW))).toBe(WEEK);
  });

  it('keeps at most a tenth of the window in the future', () => {
    const future = { start: NOW, end: NOW + HOUR };
    expect(clampToNow(future, NOW)).toEqual({ start: NOW - 0.9 * HOUR, end: NOW + 0.1 * HOUR });
    expect(clampToNow(hour, NOW)).toBe(hour);
    expect(pan(hour, 2 * HOUR, NOW).end).toBe(NOW + 0.1 * HOUR);
    expect(pan(hour, -HOUR, NOW)).toEqual({ start: T0 - HOUR, end: T0 });
  });

  it('centres a preset on a time', () => {
    expect(windowAround(T0, 10 * MINUTE, NOW)).toEqual({ start: T0 - 5 * MINUTE, end: T0 + 5 * MINUTE });
    // Centred on now, it shifts left so that only a tenth is future.
    expect(windowAround(NOW, DAY, NOW)).toEqual({ start: NOW - 0.9 * DAY, end: NOW + 0.1 * DAY });
  });

  it('pages the window when a playing playhead leaves it, not when the user looked away', () => {
    const inside = T0 + 59 * MINUTE;
    const outside = T0 + 61 * MINUTE;
    const paged = followPlayhead(hour, inside, outside, NOW + HOUR);
    expect(paged.start).toBe(outside - 6 * MINUTE);
    expect(span(paged)).toBe(HOUR);
    expect(followPlayhead(hour, T0 - 2 * HOUR, T0 - HOUR, NOW)).toBe(hour);
    expect(followPlayhead(hour, inside, inside + SECOND, NOW)).toBe(hour);
  });
});

describe('bucketSeconds', () => {
  it('picks a round bucket of at least a pixel and at least a second', () => {
    expect(bucketSeconds(hour, 800)).toBe(5); // 4.5 s per px
    expect(bucketSeconds({ start: T0, end: T0 + MINUTE }, 800)).toBe(1);
    expect(bucketSeconds({ start: T0, end: T0 + DAY }, 800)).toBe(120); // 108 s per px
    expect(bucketSeconds({ start: T0, end: T0 + WEEK }, 1000)).toBe(900); // 604.8 s per px
  });
});

describe('ticks', () => {
  it('chooses steps that leave room for labels', () => {
    expect(tickStep(hour, 800)).toBe(10 * MINUTE);
    expect(tickStep({ start: T0, end: T0 + MINUTE }, 800)).toBe(10 * SECOND);
    expect(tickStep({ start: T0, end: T0 + WEEK }, 800)).toBe(DAY);
  });

  it('aligns ticks to round local times', () => {
    const view = { start: T0 + 7 * MINUTE, end: T0 + 47 * MINUTE };
    expect(ticks(view, 10 * MINUTE).map((t) => new Date(t).toISOString())).toEqual([
      '2024-05-01T12:10:00.000Z',
      '2024-05-01T12:20:00.000Z',
      '2024-05-01T12:30:00.000Z',
      '2024-05-01T12:40:00.000Z',
    ]);
    const week = { start: Date.parse('2024-05-01T06:00:00Z'), end: Date.parse('2024-05-03T06:00:00Z') };
    expect(ticks(week, DAY).map((t) => new Date(t).toISOString())).toEqual([
      '2024-05-02T00:00:00.000Z',
      '2024-05-03T00:00:00.000Z',
    ]);
  });

  it('labels with seconds, minutes or the date', () => {
    expect(tickLabel(T0 + 10 * SECOND, 10 * SECOND)).toBe('12:00:10');
    expect(tickLabel(T0 + 10 * MINUTE, 10 * MINUTE)).toBe('12:10');
    expect(tickLabel(Date.parse('2024-05-02T00:00:00Z'), 6 * HOUR)).toMatch(/2/);
    expect(tickLabel(Date.parse('2024-05-02T00:00:00Z'), 6 * HOUR)).not.toBe('00:00');
  });
});

describe('layoutTimeline', () => {
  it('merges touching recorded buckets and draws gaps and detections where they are', () => {
    // 60 s buckets over a 10-minute window 600 px wide: one bucket = 60 px.
    const view = { start: T0, end: T0 + 10 * MINUTE };
    const data = timeline(60, [
      { recorded_s: 60 },
      { recorded_s: 60, detections: 2 },
      { recorded_s: 30, gap_s: 30 },
      { gap_s: 60 },
      { recorded_s: 60 },
    ]);
    const layout = layoutTimeline(data, view, 600, T0 + 5 * MINUTE);
    expect(layout.spans).toEqual([
      { kind: 'recorded', x0: 0, x1: 150 },
      { kind: 'gap', x0: 150, x1: 240 },
      { kind: 'recorded', x0: 240, x1: 300 },
    ]);
    expect(layout.detections).toEqual([90]);
    expect(layout.futureX).toBe(300);
  });

  it('draws nothing without data', () => {
    expect(layoutTimeline(null, hour, 600, NOW).spans).toEqual([]);
  });
});

describe('summarizeTimeline', () => {
  it('gives the recorded share and counts runs of gap buckets as one gap each', () => {
    const data = timeline(60, [
      { recorded_s: 60 },
      { recorded_s: 30, gap_s: 30 },
      { gap_s: 60 },
      { recorded_s: 60, detections: 3 },
      { recorded_s: 50, gap_s: 10 },
      {},
    ]);
    expect(summarizeTimeline(data)).toEqual({
      recordedSeconds: 200,
      gapSeconds: 100,
      recordedShare: 200 / 300,
      gaps: 2,
      detections: 3,
    });
  });

  it('knows nothing of an empty or future-only window', () => {
    expect(summarizeTimeline(timeline(60, [{}, {}])).recordedShare).toBeNull();
    expect(summarizeTimeline(null).recordedShare).toBeNull();
  });
});
