import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useApi } from '../api/ApiContext';
import { errorMessage, isAbortError } from '../api/client';
import type { Camera } from '../api/types';
import { DetectionsFeed } from '../components/DetectionsFeed';
import { StatusMessage } from '../components/StatusMessage';
import { Time } from '../components/Time';
import { isRecordingFresh } from '../format/time';

const REFRESH_MS = 30_000;

interface CameraListState {
  cameras: Camera[] | null;
  error: string | null;
  /** When the list was last fetched; freshness is judged against it. */
  fetchedAt: Date;
}

function CameraCard({ camera, now }: { camera: Camera; now: Date }) {
  const fresh = isRecordingFresh(camera.last_segment_end, now);
  return (
    <Link
      to={`/cameras/${encodeURIComponent(camera.id)}`}
      className="camera-card"
      data-testid="camera-card"
      data-camera-id={camera.id}
    >
      <h2 className="camera-card-name">{camera.name}</h2>
      <p className={fresh ? 'recording recording-fresh' : 'recording recording-stale'}>
        <span className="recording-dot" aria-hidden="true" />
        {fresh ? 'Recording' : 'No recent recording'}
      </p>
      <p className="camera-card-last">
        Last recording:{' '}
        {camera.last_segment_end === null ? 'never' : <Time iso={camera.last_segment_end} withDate />}
      </p>
      {!camera.enabled && <p className="tag">Disabled</p>}
    </Link>
  );
}

export function CameraListPage() {
  const client = useApi();
  const [state, setState] = useState<CameraListState>({
    cameras: null,
    error: null,
    fetchedAt: new Date(),
  });

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    async function load() {
      try {
        const cameras = await client.listCameras(controller.signal);
        setState({ cameras, error: null, fetchedAt: new Date() });
      } catch (error) {
        if (controller.signal.aborted || isAbortError(error)) return;
        setState((previous) => ({ ...previous, error: errorMessage(error), fetchedAt: new Date() }));
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void load(), REFRESH_MS);
    }

    void load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client]);

  const { cameras, error, fetchedAt } = state;

  return (
    <section aria-labelledby="cameras-title">
      <h1 id="cameras-title">Cameras</h1>
      {error !== null && <StatusMessage kind="error">{error}</StatusMessage>}
      {cameras === null && error === null && <StatusMessage kind="loading">Loading cameras…</StatusMessage>}
      {cameras !== null && cameras.length === 0 && (
        <StatusMessage kind="empty">No cameras are available to you.</StatusMessage>
      )}
      {cameras !== null && cameras.length > 0 && (
        <ul className="camera-grid">
          {cameras.map((camera) => (
            <li key={camera.id}>
              <CameraCard camera={camera} now={fetchedAt} />
            </li>
          ))}
        </ul>
      )}
      <DetectionsFeed cameras={cameras ?? []} />
    </section>
  );
}
