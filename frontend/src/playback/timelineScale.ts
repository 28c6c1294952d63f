/**
 * Pure maths of the recording timeline: the visible window, time <-> x mapping, zoom and pan,
 * bucket size, tick choice and the layout of recorded spans, gaps and detection markers.
 * All times are epoch milliseconds; x is in CSS pixels from the canvas' left edge.
 */
import type { Timeline } from '../api/types';

export interface TimeWindow {
  start: number;
  end: number;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Narrowest and widest view the timeline shows. */
export const MIN_SPAN = MINUTE;
export const MAX_SPAN = WEEK;

/** Share of the view that may lie in the future, so "now" is visible but not hidden at the edge. */
export const FUTURE_SHARE = 0.1;

export const PRESETS: readonly { label: string; span: number }[] = [
  { label: '1 min', span: MINUTE },
  { label: '10 min', span: 10 * MINUTE },
  { label: '1 h', span: HOUR },
  { label: '1 day', span: DAY },
  { label: '1 week', span: WEEK },
];

export function span(view: TimeWindow): number {
  return view.end - view.start;
}

export function timeToX(view: TimeWindow, width: number, time: number): number {
  return ((time - view.start) / span(view)) * width;
}

export function xToTime(view: TimeWindow, width: number, x: number): number {
  return view.start + (x / width) * span(view);
}

function clampSpan(value: number): number {
  return Math.min(MAX_SPAN, Math.max(MIN_SPAN, value));
}

/** Keep the view's end at most FUTURE_SHARE of its span after `now`, keeping its span. */
export function clampToNow(view: TimeWindow, now: number): TimeWindow {
  const length = span(view);
  const latestEnd = now + length * FUTURE_SHARE;
  if (view.end <= latestEnd) return view;
  return { start: latestEnd - length, end: latestEnd };
}

/**
 * Zoom by `factor` (> 1 zooms out) keeping `anchor` at the same x, e.g. the time under the
 * mouse. The span stays within [MIN_SPAN, MAX_SPAN].
 */
export function zoomAround(view: TimeWindow, factor: number, anchor: number, now: number): TimeWindow {
  const length = span(view);
  const next = clampSpan(length * factor);
  const ratio = (anchor - view.start) / length;
  const start = anchor - ratio * next;
  return clampToNow({ start, end: start + next }, now);
}

/** A view of `length` centred on `centre` (then kept within reach of now). */
export function windowAround(centre: number, length: number, now: number): TimeWindow {
  const next = clampSpan(length);
  return clampToNow({ start: centre - next / 2, end: centre + next / 2 }, now);
}

/** Move the view by `delta` ms (positive = later). */
export function pan(view: TimeWindow, delta: number, now: number): TimeWindow {
  return clampToNow({ start: view.start + delta, end: view.end + delta }, now);
}

/**
 * Keep a playing playhead in view: when it leaves the window, having been inside it, page the
 * view so the playhead sits near its left edge. A view the user moved away from the
 * playhead (previous position outside) is left alone.
 */
export function followPlayhead(
  view: TimeWindow,
  previous: number | null,
  current: number,
  now: number,
): TimeWindow {
  const inside = (t: number) => t >= view.start && t <= view.end;
  if (inside(current)) return view;
  if (previous !== null && !inside(previous)) return view;
  const length = span(view);
  const start = current - length * 0.1;
  return clampToNow({ start, end: start + length }, now);
}

const NICE_BUCKETS_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];

/** Bucket length in whole seconds: the smallest "round" value covering one pixel, at least 1 s. */
export function bucketSeconds(view: TimeWindow, width: number): number {
  const perPixel = span(view) / Math.max(1, width) / SECOND;
  for (const candidate of NICE_BUCKETS_S) if (candidate >= perPixel) return candidate;
  return NICE_BUCKETS_S[NICE_BUCKETS_S.length - 1] ?? 86400;
}

const TICK_STEPS = [
  SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

/** Smallest tick step that leaves at least `minGapPx` between labels. */
export function tickStep(view: TimeWindow, width: number, minGapPx = 90): number {
  const perPixel = span(view) / Math.max(1, width);
  for (const step of TICK_STEPS) if (step / perPixel >= minGapPx) return step;
  return DAY;
}

function localOffset(time: number): number {
  return new Date(time).getTimezoneOffset() * MINUTE;
}

/** Tick times in the view, aligned to the step in local time (days start at local midnight). */
export function ticks(view: TimeWindow, step: number): number[] {
  const result: number[] = [];
  if (step >= DAY) {
    const day = new Date(view.start);
    day.setHours(0, 0, 0, 0);
    while (day.getTime() <= view.end) {
      if (day.getTime() >= view.start) result.push(day.getTime());
      day.setDate(day.getDate() + Math.round(step / DAY));
    }
    return result;
  }
  const offset = localOffset(view.start);
  let t = Math.ceil((view.start - offset) / step) * step + offset;
  for (; t <= view.end; t += step) result.push(t);
  return result;
}

const secondsLabel = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const minutesLabel = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const dayLabel = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

function isLocalMidnight(time: number): boolean {
  const date = new Date(time);
  return date.getHours() === 0 && date.getMinutes() === 0 && date.getSeconds() === 0;
}

/** Local-time label of a tick: seconds when the step is under a minute, the date at midnight. */
export function tickLabel(time: number, step: number): string {
  if (step >= DAY || (isLocalMidnight(time) && step >= HOUR)) return dayLabel.format(time);
  return step < MINUTE ? secondsLabel.format(time) : minutesLabel.format(time);
}

export interface Span {
  kind: 'recorded' | 'gap';
  x0: number;
  x1: number;
}

export interface TimelineLayout {
  /** Recorded spans and gaps, merged where they touch. */
  spans: Span[];
  /** x of the centre of every bucket with detections. */
  detections: number[];
  /** x where the future starts (may be beyond the width). */
  futureX: number;
}

function pushSpan(spans: Span[], next: Span): void {
  const last = spans[spans.length - 1];
  if (last !== undefined && last.kind === next.kind && next.x0 - last.x1 <= 0.5) {
    last.x1 = Math.max(last.x1, next.x1);
    return;
  }
  spans.push(next);
}

/**
 * Where to draw what. Within a bucket the recorded part is drawn first and the gap part
 * after it, in proportion to their seconds (the API does not say which came first).
 */
export function layoutTimeline(
  timeline: Timeline | null,
  view: TimeWindow,
  width: number,
  now: number,
): TimelineLayout {
  const spans: Span[] = [];
  const detections: number[] = [];
  if (timeline !== null) {
    const bucketMs = timeline.bucket_s * SECOND;
    for (const bucket of timeline.buckets) {
      const start = Date.parse(bucket.start);
      if (start + bucketMs < view.start || start > view.end) continue;
      const x0 = timeToX(view, width, start);
      const x1 = timeToX(view, width, start + bucketMs);
      const recordedEnd = x0 + (x1 - x0) * Math.min(1, bucket.recorded_s / timeline.bucket_s);
      const gapEnd = recordedEnd + (x1 - x0) * Math.min(1, bucket.gap_s / timeline.bucket_s);
      if (bucket.recorded_s > 0) pushSpan(spans, { kind: 'recorded', x0, x1: recordedEnd });
      if (bucket.gap_s > 0) pushSpan(spans, { kind: 'gap', x0: recordedEnd, x1: gapEnd });
      if (bucket.detections > 0) detections.push((x0 + x1) / 2);
    }
  }
  return { spans, detections, futureX: timeToX(view, width, now) };
}

export interface TimelineSummary {
  recordedSeconds: number;
  gapSeconds: number;
  /** Recorded share of the past part of the view, 0..1; null when nothing of it is known. */
  recordedShare: number | null;
  /** Runs of consecutive buckets with gap time. */
  gaps: number;
  detections: number;
}

export function summarizeTimeline(timeline: Timeline | null): TimelineSummary {
  let recordedSeconds = 0;
  let gapSeconds = 0;
  let gaps = 0;
  let detections = 0;
  let inGap = false;
  for (const bucket of timeline?.buckets ?? []) {
    recordedSeconds += bucket.recorded_s;
    gapSeconds += bucket.gap_s;
    detections += bucket.detections;
    // Consecutive buckets with gap time count as one gap (the order within a bucket is unknown).
    const gap = bucket.gap_s > 0;
    if (gap && !inGap) gaps += 1;
    inGap = gap;
  }
  const known = recordedSeconds + gapSeconds;
  return {
    recordedSeconds,
    gapSeconds,
    recordedShare: known > 0 ? recordedSeconds / known : null,
    gaps,
    detections,
  };
}
