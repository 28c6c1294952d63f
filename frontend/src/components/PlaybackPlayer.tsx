import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useApi } from '../api/ApiContext';
import type { PlaybackRange } from '../api/types';
import { formatDateTime } from '../format/time';
import { hlsJsEngine } from '../playback/hlsEngine';
import { initialSnapshot, PlaybackController, type PlayerSnapshot } from '../playback/playbackController';
import type { StreamEngine } from '../playback/streamEngine';
import { StatusMessage } from './StatusMessage';

export interface PlaybackPlayerHandle {
  /** Play from wall-clock `time`; null plays the latest recording. */
  seekTo: (time: Date | null) => void;
}

interface PlaybackPlayerProps {
  cameraId: string;
  now: () => Date;
  /** Plays the HLS playlist; hls.js by default. */
  engine?: StreamEngine;
  /** Wall-clock time of the frame on screen, as it changes. */
  onPosition?: (time: Date) => void;
  /** The range loaded (segments and gaps), or null while loading. */
  onRangeChange?: (range: PlaybackRange | null) => void;
  ref?: Ref<PlaybackPlayerHandle>;
}

/** Muted element set up once: the `muted` attribute is not rendered by React itself. */
function muteOnMount(video: HTMLVideoElement | null): void {
  if (video === null) return;
  video.defaultMuted = true;
  video.muted = true;
}

function placeholder(snapshot: PlayerSnapshot): string | null {
  switch (snapshot.phase) {
    case 'loading':
      return 'Loading recording…';
    case 'empty':
      return snapshot.message ?? 'No recording in this range.';
    case 'error':
      return 'Playback stopped.';
    case 'playing':
      return null;
  }
}

/**
 * Plays a camera's recording as one HLS stream across segments and gaps, starting at a
 * wall-clock time, and reports the wall-clock time of the frame on screen.
 */
export function PlaybackPlayer({
  cameraId,
  now,
  engine = hlsJsEngine,
  onPosition,
  onRangeChange,
  ref,
}: PlaybackPlayerProps) {
  const client = useApi();
  const videoRef = useRef<HTMLVideoElement>(null);
  const controllerRef = useRef<PlaybackController | null>(null);
  /**
   * A time asked for before the controller exists: the handle is attached when the player is
   * committed, the controller only once its effect runs, and a jump in between must not be lost.
   */
  const pendingSeek = useRef<{ time: number | null } | null>(null);
  const [snapshot, setSnapshot] = useState<PlayerSnapshot>(initialSnapshot);
  const callbacks = useRef({ onPosition, onRangeChange });

  useEffect(() => {
    callbacks.current = { onPosition, onRangeChange };
  });

  useEffect(() => {
    const video = videoRef.current;
    if (video === null) return undefined;
    let lastRange: PlaybackRange | null = null;
    const controller = new PlaybackController({
      loadRange: (start, end, signal) => client.getPlayback(cameraId, start, end, signal),
      engine,
      video,
      now: () => now().getTime(),
      onChange: (next) => {
        setSnapshot(next);
        if (next.range !== lastRange) {
          lastRange = next.range;
          callbacks.current.onRangeChange?.(next.range);
        }
      },
      onPosition: (time) => callbacks.current.onPosition?.(new Date(time)),
    });
    controllerRef.current = controller;
    controller.seekTo(pendingSeek.current?.time ?? null);
    pendingSeek.current = null;
    return () => {
      controller.destroy();
      controllerRef.current = null;
    };
  }, [client, cameraId, engine, now]);

  useImperativeHandle(
    ref,
    () => ({
      seekTo: (time) => {
        const target = time === null ? null : time.getTime();
        const controller = controllerRef.current;
        if (controller === null) pendingSeek.current = { time: target };
        else controller.seekTo(target);
      },
    }),
    [],
  );

  const playingAtIso = snapshot.playingAt === null ? undefined : new Date(snapshot.playingAt).toISOString();
  const overlay = placeholder(snapshot);

  return (
    <figure className="player" aria-label="Recording player">
      <div className="player-frame">
        <video
          ref={(video) => {
            muteOnMount(video);
            videoRef.current = video;
          }}
          data-testid="playback-player"
          data-state={snapshot.phase}
          data-playing-at={playingAtIso}
          controls
          autoPlay
          playsInline
          onTimeUpdate={(event) => {
            controllerRef.current?.positionChanged(event.currentTarget.currentTime);
          }}
          onEnded={() => {
            controllerRef.current?.ended();
          }}
        />
        {overlay !== null && (
          <p className="player-placeholder" data-testid="player-placeholder">
            {overlay}
          </p>
        )}
      </div>
      <figcaption className="player-caption">
        {snapshot.phase === 'loading' && <StatusMessage kind="loading">Loading recording…</StatusMessage>}
        {snapshot.phase === 'empty' && (
          <StatusMessage kind="empty">{snapshot.message ?? 'No recording in this range.'}</StatusMessage>
        )}
        {snapshot.phase === 'error' && (
          <StatusMessage kind="error">{snapshot.message ?? 'The recording could not be played.'}</StatusMessage>
        )}
        {snapshot.phase === 'playing' && (
          <p className="player-clock" aria-live="off">
            Playing{' '}
            {playingAtIso !== undefined && (
              <time dateTime={playingAtIso} title={playingAtIso} data-testid="player-clock">
                {formatDateTime(playingAtIso)}
              </time>
            )}
          </p>
        )}
        {snapshot.notice !== null && (
          <p className="player-notice" role="status" data-testid="player-notice">
            {snapshot.notice}
          </p>
        )}
      </figcaption>
    </figure>
  );
}
