import { useCallback } from 'react';
import type { Segment } from '../api/types';
import { Time } from '../components/Time';

interface SegmentPlayerProps {
  /** Segment to play; null shows the placeholder message instead. */
  segment: Segment | null;
  /** Shown over the empty player, e.g. while waiting for a newer segment. */
  placeholder: string;
  onEnded: (segment: Segment) => void;
  onError: (segment: Segment, message: string) => void;
}

/** Muted element set up once: the `muted` attribute is not rendered by React itself. */
function muteOnMount(video: HTMLVideoElement | null): void {
  if (video === null) return;
  video.defaultMuted = true;
  video.muted = true;
}

/** One `<video>` element that plays the given segment from its signed URL. */
export function SegmentPlayer({ segment, placeholder, onEnded, onError }: SegmentPlayerProps) {
  const handleEnded = useCallback(() => {
    if (segment !== null) onEnded(segment);
  }, [segment, onEnded]);

  const handleError = useCallback(() => {
    if (segment !== null) onError(segment, 'A segment could not be played and was skipped.');
  }, [segment, onError]);

  return (
    <figure className="player">
      <div className="player-frame">
        <video
          ref={muteOnMount}
          data-testid="playback-video"
          data-segment-id={segment?.id}
          src={segment?.url}
          muted
          autoPlay
          playsInline
          controls
          preload="auto"
          onEnded={handleEnded}
          onError={handleError}
        />
        {segment === null && (
          <p className="player-placeholder" role="status">
            {placeholder}
          </p>
        )}
      </div>
      <figcaption className="player-caption">
        {segment === null ? (
          'Nothing playing'
        ) : (
          <>
            Playing <Time iso={segment.start} /> – <Time iso={segment.end} />
          </>
        )}
      </figcaption>
    </figure>
  );
}
