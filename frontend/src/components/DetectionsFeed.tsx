import { Link } from 'react-router-dom';
import type { Camera, Detection } from '../api/types';
import type { FeedState } from '../hooks/detectionFeed';
import { useDetections } from '../hooks/useDetections';
import { Time } from './Time';

const STATE_TEXT: Record<FeedState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  signed_out: 'Signed out',
  not_found: 'Camera not found',
  off: 'Live updates unavailable',
};

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

/** "person 91%, car 80%, face 88%", or "nothing" for a frame without findings. */
export function findings(detection: Detection): string {
  const parts = [
    ...detection.labels.map((label) => `${label.name} ${percent(label.confidence)}`),
    ...detection.faces.map((face) => `face ${percent(face.confidence)}`),
  ];
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

/** The live indicator: a dot and the connection's state. */
export function FeedStatus({ state }: { state: FeedState }) {
  return (
    <span className={`feed-state feed-state-${state}`} data-testid="feed-state" data-state={state}>
      <span className="feed-state-dot" aria-hidden="true" />
      {STATE_TEXT[state]}
    </span>
  );
}

interface DetectionsFeedProps {
  /** The tenant's cameras, for their names. */
  cameras: readonly Camera[];
  /** How many detections to show (50). */
  keep?: number;
}

/** The tenant's detections as they are stored, newest first, with the live indicator. */
export function DetectionsFeed({ cameras, keep = 50 }: DetectionsFeedProps) {
  const { detections, state } = useDetections({ keep });
  const names = new Map(cameras.map((camera) => [camera.id, camera.name]));

  return (
    <section className="detections-feed" aria-labelledby="detections-feed-title">
      <div className="detections-feed-header">
        <h2 id="detections-feed-title">Detections</h2>
        <FeedStatus state={state} />
      </div>
      {detections.length === 0 ? (
        <p className="muted">{state === 'off' ? 'Live detections are not available here.' : 'No detections yet.'}</p>
      ) : (
        <ol className="detections-list" data-testid="detections-feed" aria-live="polite">
          {detections.map((detection) => (
            <li key={detection.id} className="detection-item" data-testid="detection-item" data-id={detection.id}>
              <Time iso={detection.captured_at} withDate />
              <Link className="detection-camera" to={`/cameras/${encodeURIComponent(detection.camera_id)}`}>
                {names.get(detection.camera_id) ?? 'Unknown camera'}
              </Link>
              <span className="detection-findings">{findings(detection)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
