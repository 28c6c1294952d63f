import type { Timeline } from '../api/types';
import { layoutTimeline, tickLabel, tickStep, ticks, timeToX, type TimeWindow } from './timelineScale';

/** The subset of CanvasRenderingContext2D the timeline draws with. */
export type TimelineContext = Pick<
  CanvasRenderingContext2D,
  | 'setTransform'
  | 'clearRect'
  | 'fillRect'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'closePath'
  | 'stroke'
  | 'fill'
  | 'save'
  | 'restore'
  | 'rect'
  | 'clip'
  | 'fillText'
  | 'setLineDash'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'font'
  | 'textAlign'
  | 'textBaseline'
>;

export const COLORS = {
  background: '#161b22',
  track: '#0d1117',
  recorded: '#2ea043',
  gap: '#f85149',
  gapFill: 'rgba(248, 81, 73, 0.22)',
  detection: '#4c9aff',
  tick: '#2d3643',
  label: '#9aa7b4',
  now: '#9aa7b4',
  playhead: '#ffd33d',
  live: '#d2a8ff',
} as const;

export const TRACK_TOP = 12;
export const TRACK_HEIGHT = 30;

export interface DrawParams {
  view: TimeWindow;
  width: number;
  height: number;
  /** Device pixels per CSS pixel. */
  scale: number;
  timeline: Timeline | null;
  now: number;
  playhead: number | null;
  /** Capture times (ms) of detections received live, each marked where it happened. */
  live?: readonly number[];
}

function hatch(ctx: TimelineContext, x0: number, x1: number): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, TRACK_TOP, x1 - x0, TRACK_HEIGHT);
  ctx.clip();
  ctx.fillStyle = COLORS.gapFill;
  ctx.fillRect(x0, TRACK_TOP, x1 - x0, TRACK_HEIGHT);
  ctx.strokeStyle = COLORS.gap;
  ctx.lineWidth = 1;
  ctx.beginPath();
  const start = Math.floor(x0 / 6) * 6 - TRACK_HEIGHT;
  for (let x = start; x < x1; x += 6) {
    ctx.moveTo(x, TRACK_TOP + TRACK_HEIGHT);
    ctx.lineTo(x + TRACK_HEIGHT, TRACK_TOP);
  }
  ctx.stroke();
  ctx.restore();
}

/** Draws the whole timeline: track, recorded spans, hatched gaps, detections (counted and live), ticks, now and playhead. */
export function drawTimeline(ctx: TimelineContext, params: DrawParams): void {
  const { view, width, height, scale, timeline, now, playhead } = params;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = COLORS.background;
  ctx.fillRect(0, 0, width, height);

  const layout = layoutTimeline(timeline, view, width, now);
  // The past is a dark track; the future stays blank (background).
  const pastEnd = Math.min(width, Math.max(0, layout.futureX));
  ctx.fillStyle = COLORS.track;
  ctx.fillRect(0, TRACK_TOP, pastEnd, TRACK_HEIGHT);

  for (const span of layout.spans) {
    const x0 = Math.max(0, span.x0);
    const x1 = Math.min(width, Math.max(span.x1, span.x0 + 1));
    if (x1 <= x0) continue;
    if (span.kind === 'recorded') {
      ctx.fillStyle = COLORS.recorded;
      ctx.fillRect(x0, TRACK_TOP, x1 - x0, TRACK_HEIGHT);
    } else {
      hatch(ctx, x0, x1);
    }
  }

  ctx.fillStyle = COLORS.detection;
  for (const x of layout.detections) {
    ctx.beginPath();
    ctx.moveTo(x - 4, 2);
    ctx.lineTo(x + 4, 2);
    ctx.lineTo(x, TRACK_TOP - 2);
    ctx.closePath();
    ctx.fill();
  }

  ctx.strokeStyle = COLORS.live;
  ctx.lineWidth = 2;
  for (const time of params.live ?? []) {
    const x = timeToX(view, width, time);
    if (x < 0 || x > width) continue;
    ctx.beginPath();
    ctx.moveTo(x, TRACK_TOP);
    ctx.lineTo(x, TRACK_TOP + TRACK_HEIGHT);
    ctx.stroke();
  }

  const step = tickStep(view, width);
  ctx.strokeStyle = COLORS.tick;
  ctx.fillStyle = COLORS.label;
  ctx.lineWidth = 1;
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const tick of ticks(view, step)) {
    const x = Math.round(timeToX(view, width, tick)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, TRACK_TOP + TRACK_HEIGHT);
    ctx.lineTo(x, TRACK_TOP + TRACK_HEIGHT + 6);
    ctx.stroke();
    ctx.fillText(tickLabel(tick, step), x, TRACK_TOP + TRACK_HEIGHT + 8);
  }

  if (layout.futureX >= 0 && layout.futureX <= width) {
    ctx.save();
    ctx.strokeStyle = COLORS.now;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(layout.futureX, 0);
    ctx.lineTo(layout.futureX, TRACK_TOP + TRACK_HEIGHT);
    ctx.stroke();
    ctx.restore();
  }

  if (playhead !== null) {
    const x = timeToX(view, width, playhead);
    if (x >= 0 && x <= width) {
      ctx.strokeStyle = COLORS.playhead;
      ctx.fillStyle = COLORS.playhead;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, TRACK_TOP + TRACK_HEIGHT + 4);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x - 5, 0);
      ctx.lineTo(x + 5, 0);
      ctx.lineTo(x, 6);
      ctx.closePath();
      ctx.fill();
    }
  }
}
