import { useEffect, useId, useRef, useState, type SubmitEvent, type PointerEvent } from 'react';
import { useApi } from '../api/ApiContext';
import { errorMessage, isAbortError } from '../api/client';
import type { Timeline as TimelineData } from '../api/types';
import { formatDateTime, formatDuration, fromDateTimeLocal, toDateTimeLocal } from '../format/time';
import { drawTimeline } from '../playback/drawTimeline';
import {
  bucketSeconds,
  pan,
  PRESETS,
  span,
  summarizeTimeline,
  windowAround,
  xToTime,
  zoomAround,
  type TimeWindow,
} from '../playback/timelineScale';

export const TIMELINE_HEIGHT = 64;
/** Width used until the element can be measured (and in environments without layout). */
export const FALLBACK_WIDTH = 800;
const FETCH_DELAY_MS = 120;
const ZOOM_STEP = 2;
const PAN_SHARE = 0.25;
/** Pointer travel (px) below which a press is a click, not a drag. */
const DRAG_THRESHOLD_PX = 4;
const NO_LIVE: readonly number[] = [];

interface TimelineProps {
  cameraId: string;
  view: TimeWindow;
  onViewChange: (view: TimeWindow) => void;
  /** Wall-clock time of the frame in the player. */
  playhead: Date | null;
  onSeek: (time: Date) => void;
  now: () => Date;
  /** How often a window that reaches now is fetched again. */
  refreshMs?: number;
  /** Capture times (ms) of the camera's detections received live, marked as they come. */
  live?: readonly number[];
}

/** Keep receiving the pointer's moves outside the canvas while dragging, where supported. */
function capturePointer(element: Element, pointerId: number): void {
  try {
    element.setPointerCapture(pointerId);
  } catch {
    // Not supported (e.g. jsdom) or the pointer is already gone: dragging still works inside.
  }
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function summaryText(data: TimelineData | null, loading: boolean): string {
  if (data === null) return loading ? 'Loading the timeline…' : 'No timeline data.';
  const summary = summarizeTimeline(data);
  if (summary.recordedShare === null) return 'Nothing recorded in the shown time.';
  const percent = Math.floor(summary.recordedShare * 1000) / 10;
  const parts = [`Recorded ${percent}% of the shown time`];
  parts.push(
    summary.gaps === 0
      ? 'no gaps'
      : `${summary.gaps} ${summary.gaps === 1 ? 'gap' : 'gaps'} (${formatDuration(summary.gapSeconds)} in total)`,
  );
  if (summary.detections > 0) {
    parts.push(`${summary.detections} ${summary.detections === 1 ? 'detection' : 'detections'}`);
  }
  return `${parts.join(', ')}.`;
}

/**
 * Canvas timeline of a camera's recording: recorded spans, hatched gaps, detection markers and
 * the playhead over the visible window. Wheel or buttons zoom (a minute to a week), drag, arrow
 * keys or buttons pan, a click seeks, and a time can be typed in.
 */
export function Timeline({
  cameraId,
  view,
  onViewChange,
  playhead,
  onSeek,
  now,
  refreshMs = 30_000,
  live = NO_LIVE,
}: TimelineProps) {
  const client = useApi();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(FALLBACK_WIDTH);
  const [data, setData] = useState<TimelineData | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [jumpValue, setJumpValue] = useState('');
  const [jumpError, setJumpError] = useState<string | null>(null);
  const drag = useRef<{ pointerId: number; x: number; view: TimeWindow; moved: boolean } | null>(null);
  const latest = useRef({ view, width, onViewChange, now });
  const summaryId = useId();
  const jumpId = useId();

  useEffect(() => {
    latest.current = { view, width, onViewChange, now };
  });

  // Follow the element's size.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => {
      const measured = Math.round(canvas.clientWidth);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(canvas);
    return () => {
      observer.disconnect();
    };
  }, []);

  // Fetch the buckets of the visible window, shortly after it stops changing.
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bucket = bucketSeconds(view, width);
    async function load() {
      try {
        const answer = await client.getTimeline(
          cameraId,
          new Date(Math.floor(view.start / 1000) * 1000),
          new Date(Math.ceil(view.end / 1000) * 1000),
          bucket,
          controller.signal,
        );
        if (controller.signal.aborted) return;
        setData(answer);
        setError(null);
      } catch (caught) {
        if (controller.signal.aborted || isAbortError(caught)) return;
        setError(errorMessage(caught));
      }
      setLoading(false);
      // A window reaching the present changes as recording goes on.
      if (view.end > now().getTime() - bucket * 1000) timer = setTimeout(() => void load(), refreshMs);
    }
    timer = setTimeout(() => void load(), FETCH_DELAY_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, cameraId, view, width, now, refreshMs]);

  // Draw.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null) return;
    const scale = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * scale);
    const pixelHeight = Math.round(TIMELINE_HEIGHT * scale);
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    drawTimeline(ctx, {
      view,
      width,
      height: TIMELINE_HEIGHT,
      scale,
      timeline: data,
      now: now().getTime(),
      playhead: playhead === null ? null : playhead.getTime(),
      live,
    });
  }, [view, width, data, playhead, now, live]);

  // Wheel zoom around the cursor; a native listener, so the page does not scroll meanwhile.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null) return undefined;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const current = latest.current;
      const rect = canvas.getBoundingClientRect();
      const measured = rect.width > 0 ? rect.width : current.width;
      const anchor = xToTime(current.view, measured, event.clientX - rect.left);
      const factor = Math.pow(1.0015, event.deltaY);
      current.onViewChange(zoomAround(current.view, factor, anchor, current.now().getTime()));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      canvas.removeEventListener('wheel', onWheel);
    };
  }, []);

  function pointerTime(event: PointerEvent<HTMLCanvasElement>, basis: TimeWindow): number {
    const rect = event.currentTarget.getBoundingClientRect();
    const measured = rect.width > 0 ? rect.width : width;
    return xToTime(basis, measured, event.clientX - rect.left);
  }

  function seek(time: number) {
    onSeek(new Date(Math.min(time, now().getTime())));
  }

  function zoom(factor: number) {
    const nowMs = now().getTime();
    const anchor = playhead !== null && playhead.getTime() >= view.start && playhead.getTime() <= view.end
      ? playhead.getTime()
      : (view.start + view.end) / 2;
    onViewChange(zoomAround(view, factor, anchor, nowMs));
  }

  function preset(length: number) {
    const centre = playhead?.getTime() ?? (view.start + view.end) / 2;
    onViewChange(windowAround(centre, length, now().getTime()));
  }

  function move(share: number) {
    onViewChange(pan(view, span(view) * share, now().getTime()));
  }

  function jump(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const date = fromDateTimeLocal(jumpValue);
    if (date === null) {
      setJumpError('Enter a date and time.');
      return;
    }
    const nowMs = now().getTime();
    if (date.getTime() > nowMs) {
      setJumpError('That time is in the future.');
      return;
    }
    setJumpError(null);
    onViewChange(windowAround(date.getTime(), span(view), nowMs));
    onSeek(date);
  }

  const length = span(view);
  const today = now();
  const label = `Recording timeline from ${formatDateTime(iso(view.start), today)} to ${formatDateTime(iso(view.end), today)}. Click to play from a time; arrow keys move it, plus and minus zoom.`;

  return (
    <section className="timeline-panel" aria-label="Timeline" data-testid="timeline">
      <div className="timeline-toolbar">
        <div className="button-group" role="group" aria-label="Zoom">
          <button type="button" className="button" aria-label="Zoom in" title="Zoom in" onClick={() => {
            zoom(1 / ZOOM_STEP);
          }}>
            +
          </button>
          <button type="button" className="button" aria-label="Zoom out" title="Zoom out" onClick={() => {
            zoom(ZOOM_STEP);
          }}>
            −
          </button>
          {PRESETS.map((option) => (
            <button
              key={option.label}
              type="button"
              className="button"
              aria-pressed={Math.abs(length - option.span) < 1000}
              aria-label={`Show ${option.label}`}
              onClick={() => {
                preset(option.span);
              }}
            >
              {option.label}
            </button>
          ))}
        </div>
        <div className="button-group" role="group" aria-label="Move">
          <button type="button" className="button" aria-label="Earlier" title="Earlier" onClick={() => {
            move(-PAN_SHARE);
          }}>
            ◀
          </button>
          <button type="button" className="button" aria-label="Later" title="Later" onClick={() => {
            move(PAN_SHARE);
          }}>
            ▶
          </button>
          <button type="button" className="button" onClick={() => {
            const nowMs = now().getTime();
            onViewChange(windowAround(nowMs, length, nowMs));
            onSeek(new Date(nowMs));
          }}>
            Now
          </button>
        </div>
        <form className="timeline-jump" onSubmit={jump} noValidate>
          <label htmlFor={jumpId}>Jump to time</label>
          <input
            id={jumpId}
            type="datetime-local"
            step={1}
            value={jumpValue}
            onChange={(event) => {
              setJumpValue(event.target.value);
            }}
            onFocus={() => {
              if (jumpValue === '' && playhead !== null) setJumpValue(toDateTimeLocal(playhead));
            }}
          />
          <button type="submit" className="button">
            Go
          </button>
        </form>
      </div>
      {jumpError !== null && (
        <p className="form-error" role="alert">
          {jumpError}
        </p>
      )}
      <canvas
        ref={canvasRef}
        className="timeline-canvas"
        data-testid="timeline-canvas"
        data-start={iso(view.start)}
        data-end={iso(view.end)}
        data-live-markers={live.filter((time) => time >= view.start && time <= view.end).length}
        height={TIMELINE_HEIGHT}
        style={{ height: `${TIMELINE_HEIGHT}px` }}
        tabIndex={0}
        role="img"
        aria-roledescription="timeline"
        aria-label={label}
        aria-describedby={summaryId}
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          drag.current = { pointerId: event.pointerId, x: event.clientX, view, moved: false };
          capturePointer(event.currentTarget, event.pointerId);
        }}
        onPointerMove={(event) => {
          const state = drag.current;
          if (state === null || state.pointerId !== event.pointerId) return;
          const dx = event.clientX - state.x;
          if (!state.moved && Math.abs(dx) < DRAG_THRESHOLD_PX) return;
          state.moved = true;
          const rect = event.currentTarget.getBoundingClientRect();
          const measured = rect.width > 0 ? rect.width : width;
          onViewChange(pan(state.view, (-dx / measured) * span(state.view), now().getTime()));
        }}
        onPointerUp={(event) => {
          const state = drag.current;
          drag.current = null;
          if (state === null || state.pointerId !== event.pointerId || state.moved) return;
          seek(pointerTime(event, state.view));
        }}
        onPointerCancel={() => {
          drag.current = null;
        }}
        onKeyDown={(event) => {
          const actions: Record<string, () => void> = {
            ArrowLeft: () => {
              move(-PAN_SHARE / 2);
            },
            ArrowRight: () => {
              move(PAN_SHARE / 2);
            },
            '+': () => {
              zoom(1 / ZOOM_STEP);
            },
            '=': () => {
              zoom(1 / ZOOM_STEP);
            },
            '-': () => {
              zoom(ZOOM_STEP);
            },
          };
          const action = actions[event.key];
          if (action === undefined) return;
          event.preventDefault();
          action();
        }}
      />
      <ul className="timeline-legend" aria-hidden="true">
        <li>
          <span className="legend-swatch legend-recorded" />
          Recorded
        </li>
        <li>
          <span className="legend-swatch legend-gap" />
          Gap
        </li>
        <li>
          <span className="legend-swatch legend-detection" />
          Detections
        </li>
        <li>
          <span className="legend-swatch legend-live-detection" />
          Live detections
        </li>
        <li>
          <span className="legend-swatch legend-playhead" />
          Playing
        </li>
      </ul>
      <p id={summaryId} className="timeline-summary" data-testid="timeline-summary" aria-live="polite">
        {summaryText(data, loading)}
      </p>
      {error !== null && <p className="form-error" role="alert">{`Timeline: ${error}`}</p>}
    </section>
  );
}
