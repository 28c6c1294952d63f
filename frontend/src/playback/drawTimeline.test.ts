import { describe, expect, it } from 'vitest';
import type { Timeline } from '../api/types';
import { COLORS, drawTimeline, TRACK_HEIGHT, TRACK_TOP, type TimelineContext } from './drawTimeline';

interface Fill {
  style: string;
  x: number;
  width: number;
}

/** A 2D context that records the rectangles filled and the style they were filled with. */
function recordingContext(): TimelineContext & { fills: Fill[]; texts: string[] } {
  const fills: Fill[] = [];
  const texts: string[] = [];
  const noop = () => undefined;
  const ctx = {
    fills,
    texts,
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    font: '',
    textAlign: 'start' as CanvasTextAlign,
    textBaseline: 'alphabetic' as CanvasTextBaseline,
    setTransform: noop,
    clearRect: noop,
    fillRect(x: number, y: number, width: number, height: number) {
      if (y === TRACK_TOP && height === TRACK_HEIGHT) fills.push({ style: ctx.fillStyle, x, width });
    },
    beginPath: noop,
    moveTo: noop,
    lineTo: noop,
    closePath: noop,
    stroke: noop,
    fill: noop,
    save: noop,
    restore: noop,
    rect: noop,
    clip: noop,
    fillText(text: string) {
      texts.push(text);
    },
    setLineDash: noop,
  };
  return ctx;
}

const T0 = Date.parse('2024-05-01T12:00:00Z');
const data: Timeline = {
  camera_id: 'c',
  start: '2024-05-01T12:00:00Z',
  end: '2024-05-01T12:10:00Z',
  bucket_s: 300,
  buckets: [
    { start: '2024-05-01T12:00:00Z', recorded_s: 300, gap_s: 0, detections: 0 },
    { start: '2024-05-01T12:05:00Z', recorded_s: 0, gap_s: 300, detections: 0 },
  ],
};

describe('drawTimeline', () => {
  it('fills the past track, recorded time in green and gaps hatched in red, with tick labels', () => {
    const ctx = recordingContext();
    drawTimeline(ctx, {
      view: { start: T0, end: T0 + 20 * 60_000 },
      width: 400,
      height: 64,
      scale: 1,
      timeline: data,
      now: T0 + 10 * 60_000,
      playhead: T0 + 60_000,
    });
    expect(ctx.fills).toEqual([
      { style: COLORS.track, x: 0, width: 200 },
      { style: COLORS.recorded, x: 0, width: 100 },
      { style: COLORS.gapFill, x: 100, width: 100 },
    ]);
    expect(ctx.texts).toEqual(['12:00', '12:05', '12:10', '12:15', '12:20']);
  });

  it('marks live detections inside the view with a line across the track', () => {
    const ctx = recordingContext();
    const lines: { style: string; x: number }[] = [];
    const base = ctx.moveTo;
    let pending: number | null = null;
    ctx.moveTo = (x: number, y: number) => {
      pending = y === TRACK_TOP ? x : null;
      base(x, y);
    };
    ctx.lineTo = (x: number, y: number) => {
      if (pending === x && y === TRACK_TOP + TRACK_HEIGHT) lines.push({ style: ctx.strokeStyle as string, x });
    };
    drawTimeline(ctx, {
      view: { start: T0, end: T0 + 20 * 60_000 },
      width: 400,
      height: 64,
      scale: 1,
      timeline: null,
      now: T0 + 10 * 60_000,
      playhead: null,
      live: [T0 + 60_000, T0 + 5 * 60_000, T0 - 60_000, T0 + 30 * 60_000],
    });
    expect(lines).toEqual([
      { style: COLORS.live, x: 20 },
      { style: COLORS.live, x: 100 },
    ]);
  });
});

