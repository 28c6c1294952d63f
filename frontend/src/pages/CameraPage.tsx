import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useApi } from '../api/ApiContext';
import { errorMessage, isAbortError } from '../api/client';
import type { Camera, PlaybackRange, Segment } from '../api/types';
import { ExportClip } from '../components/ExportClip';
import { PlaybackPlayer, type PlaybackPlayerHandle } from '../components/PlaybackPlayer';
import { StatusMessage } from '../components/StatusMessage';
import { Time } from '../components/Time';
import { Timeline } from '../components/Timeline';
import { useDetections } from '../hooks/useDetections';
import { useCan } from '../hooks/useSignedInUser';
import { SegmentList } from '../playback/SegmentList';
import type { StreamEngine } from '../playback/streamEngine';
import { followPlayhead, HOUR, windowAround, type TimeWindow } from '../playback/timelineScale';

/** The camera's most recent detections marked on its timeline as they arrive. */
const LIVE_MARKERS = 500;

function systemNow(): Date {
  return new Date();
}

export interface CameraPageProps {
  /** Clock for "now"; the system clock by default. */
  now?: () => Date;
  /** Plays HLS; hls.js by default. */
  engine?: StreamEngine;
  /** Delay between export progress polls. */
  exportPollMs?: number;
}

type CameraState = { camera: Camera | null; error: string | null };

/** The segment of the range that holds `time`, if any. */
function segmentAt(range: PlaybackRange | null, time: Date | null): Segment | null {
  if (range === null || time === null) return null;
  const t = time.getTime();
  return range.segments.find((s) => Date.parse(s.start) <= t && t < Date.parse(s.end)) ?? null;
}

function CameraPlayback({
  cameraId,
  now,
  engine,
  exportPollMs,
}: {
  cameraId: string;
  now: () => Date;
  engine: StreamEngine | undefined;
  exportPollMs: number | undefined;
}) {
  const player = useRef<PlaybackPlayerHandle>(null);
  const [view, setView] = useState<TimeWindow>(() => {
    const nowMs = now().getTime();
    return windowAround(nowMs, HOUR, nowMs);
  });
  const [playhead, setPlayhead] = useState<Date | null>(null);
  const [range, setRange] = useState<PlaybackRange | null>(null);
  const lastPlayhead = useRef<number | null>(null);

  const onPosition = useCallback(
    (time: Date) => {
      const previous = lastPlayhead.current;
      lastPlayhead.current = time.getTime();
      setPlayhead(time);
      setView((current) => followPlayhead(current, previous, time.getTime(), now().getTime()));
    },
    [now],
  );

  const seek = useCallback((time: Date) => {
    player.current?.seekTo(time);
  }, []);

  const current = segmentAt(range, playhead);
  const { detections } = useDetections({ cameraId, keep: LIVE_MARKERS });
  const live = useMemo(() => detections.map((d) => Date.parse(d.captured_at)), [detections]);
  // Exporting needs control_camera: without it (or until it is known) there is nothing to click.
  const canExport = useCan('control_camera');

  return (
    <div className="playback">
      <div className="playback-main">
        <PlaybackPlayer
          ref={player}
          cameraId={cameraId}
          now={now}
          engine={engine}
          onPosition={onPosition}
          onRangeChange={setRange}
        />
        <Timeline
          cameraId={cameraId}
          view={view}
          onViewChange={setView}
          playhead={playhead}
          onSeek={seek}
          now={now}
          live={live}
        />
        {canExport && <ExportClip cameraId={cameraId} around={playhead} now={now} pollMs={exportPollMs} />}
      </div>
      <section className="playback-side" aria-labelledby="segments-title">
        <h2 id="segments-title">Segments</h2>
        {range !== null && (
          <p className="muted segments-range">
            <Time iso={range.start} withDate /> – <Time iso={range.end} withDate />
          </p>
        )}
        {range !== null && range.segments.length > 0 ? (
          <SegmentList
            segments={range.segments}
            gaps={range.gaps}
            currentId={current?.id ?? null}
            onSelect={(segment) => {
              seek(new Date(segment.start));
            }}
          />
        ) : (
          <p className="muted">{range === null ? 'Loading…' : 'Nothing recorded in this range.'}</p>
        )}
      </section>
    </div>
  );
}

function CameraView({ cameraId, now, engine, exportPollMs }: { cameraId: string; now: () => Date } & CameraPageProps) {
  const client = useApi();
  const [state, setState] = useState<CameraState>({ camera: null, error: null });

  useEffect(() => {
    const controller = new AbortController();
    client.getCamera(cameraId, controller.signal).then(
      (camera) => {
        setState({ camera, error: null });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbortError(error)) return;
        setState({ camera: null, error: errorMessage(error) });
      },
    );
    return () => {
      controller.abort();
    };
  }, [client, cameraId]);

  const { camera, error } = state;
  return (
    <section className="camera-page" aria-labelledby="camera-title">
      <p className="breadcrumb">
        <Link to="/">← All cameras</Link>
      </p>
      {camera === null && error === null && (
        <>
          <h1 id="camera-title">Camera</h1>
          <StatusMessage kind="loading">Loading camera…</StatusMessage>
        </>
      )}
      {error !== null && (
        <>
          <h1 id="camera-title">Camera</h1>
          <StatusMessage kind="error">{error}</StatusMessage>
        </>
      )}
      {camera !== null && (
        <>
          <h1 id="camera-title">
            {camera.name}
            {!camera.enabled && <span className="tag">Disabled</span>}
          </h1>
          <CameraPlayback cameraId={camera.id} now={now} engine={engine} exportPollMs={exportPollMs} />
        </>
      )}
    </section>
  );
}

export function CameraPage({ now = systemNow, engine, exportPollMs }: CameraPageProps) {
  const { id = '' } = useParams();
  // A new camera id starts from a clean state.
  return <CameraView key={id} cameraId={id} now={now} engine={engine} exportPollMs={exportPollMs} />;
}
