import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useApi } from '../api/ApiContext';
import { errorMessage, isAbortError } from '../api/client';
import type { Camera } from '../api/types';
import { StatusMessage } from '../components/StatusMessage';
import { SegmentList } from '../playback/SegmentList';
import { SegmentPlayer } from '../playback/SegmentPlayer';
import { currentSegment } from '../playback/sequence';
import { usePlayback } from '../playback/usePlayback';

export const PLAYBACK_WINDOW_MS = 10 * 60 * 1000;
export const PLAYBACK_POLL_MS = 20_000;

function systemNow(): Date {
  return new Date();
}

export interface CameraPageProps {
  /** Clock used for the playback window; the system clock by default. */
  now?: () => Date;
  pollIntervalMs?: number;
}

type CameraState = { camera: Camera | null; error: string | null };

function CameraPlayback({
  cameraId,
  now,
  pollIntervalMs,
}: {
  cameraId: string;
  now: () => Date;
  pollIntervalMs: number;
}) {
  const client = useApi();
  const playback = usePlayback(client, cameraId, {
    windowMs: PLAYBACK_WINDOW_MS,
    pollIntervalMs,
    now,
  });
  const { range, error, selection, notice } = playback;
  const segment = currentSegment(selection);

  if (range === null) {
    return error === null ? (
      <StatusMessage kind="loading">Loading recordings…</StatusMessage>
    ) : (
      <StatusMessage kind="error">{error}</StatusMessage>
    );
  }

  const hasSegments = range.segments.length > 0;
  let placeholder = 'No playable segment in the last 10 minutes';
  if (!hasSegments) placeholder = 'No recordings in the last 10 minutes';
  else if (selection.kind === 'waiting') placeholder = 'Waiting for the next segment…';

  return (
    <div className="playback">
      <div className="playback-main">
        {error !== null && <StatusMessage kind="error">{error}</StatusMessage>}
        {notice !== null && <StatusMessage kind="error">{notice}</StatusMessage>}
        <SegmentPlayer
          segment={segment}
          placeholder={placeholder}
          onEnded={playback.ended}
          onError={playback.failed}
        />
      </div>
      <section className="playback-side" aria-labelledby="segments-title">
        <h2 id="segments-title">Last 10 minutes</h2>
        {hasSegments ? (
          <SegmentList
            segments={range.segments}
            gaps={range.gaps}
            currentId={segment?.id ?? null}
            onSelect={playback.select}
          />
        ) : (
          <p className="muted">Nothing to list.</p>
        )}
      </section>
    </div>
  );
}

function CameraView({ cameraId, now, pollIntervalMs }: { cameraId: string } & Required<CameraPageProps>) {
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
          <CameraPlayback cameraId={camera.id} now={now} pollIntervalMs={pollIntervalMs} />
        </>
      )}
    </section>
  );
}

export function CameraPage({ now = systemNow, pollIntervalMs = PLAYBACK_POLL_MS }: CameraPageProps) {
  const { id = '' } = useParams();
  // A new camera id starts from a clean state.
  return <CameraView key={id} cameraId={id} now={now} pollIntervalMs={pollIntervalMs} />;
}
