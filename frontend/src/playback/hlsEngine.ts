import type { ErrorData, LevelLoadedData } from 'hls.js';
import { nextFragmentStart, type PlaylistFragment } from './hlsTimeline';
import type { StreamEngine, StreamEvents, StreamSession } from './streamEngine';

/**
 * The stream engine backed by hls.js (Media Source Extensions). hls.js is loaded on first use,
 * so pages without a player do not download it.
 */
export const hlsJsEngine: StreamEngine = (video, url, events) => {
  let destroyed = false;
  let session: StreamSession | null = null;
  let pendingSeek: number | null = null;

  import('hls.js/light').then(
    ({ default: Hls }) => {
      if (destroyed) return;
      if (!Hls.isSupported()) {
        events.onFatalError('This browser cannot play recordings (Media Source Extensions are missing).');
        return;
      }
      session = startHls(Hls, video, url, events);
      if (pendingSeek !== null) session.seek(pendingSeek);
    },
    () => {
      if (!destroyed) events.onFatalError('The video player could not be loaded. Reload the page.');
    },
  );

  return {
    seek(position) {
      if (session === null) pendingSeek = position;
      else session.seek(position);
    },
    pause() {
      video.pause();
    },
    destroy() {
      destroyed = true;
      session?.destroy();
    },
  };
};

type HlsClass = typeof import('hls.js/light').default;

function errorText(data: ErrorData): string {
  const status = data.response?.code;
  if (status === 403) return 'The playback link has expired. Choose the time again to reload it.';
  if (status === 404) return 'The recording was not found on the server.';
  return `The recording could not be played (${data.type}: ${data.details}).`;
}

function startHls(Hls: HlsClass, video: HTMLVideoElement, url: string, events: StreamEvents): StreamSession {
  const hls = new Hls({ autoStartLoad: false, enableWorker: true, maxBufferLength: 30 });
  let started = false;
  let recoveredMedia = false;
  let fragments: readonly PlaylistFragment[] = [];

  const playFrom = (position: number) => {
    video.currentTime = position;
    // Muted, so browsers allow playing without a gesture; a refusal leaves the controls to the user.
    video.play().catch(() => undefined);
  };

  // A frame the browser cannot decode (a recording cut short by an outage can end in a truncated
  // one) stops the element without hls.js noticing. Rebuild the media pipeline and go on from the
  // next recorded segment, where the decoder starts afresh from a keyframe.
  const onVideoError = () => {
    if (video.error?.code !== MediaError.MEDIA_ERR_DECODE) return;
    const next = nextFragmentStart(fragments, video.currentTime);
    if (next === null) {
      events.onFatalError(`The recording could not be decoded (${video.error.message}).`);
      return;
    }
    hls.recoverMediaError();
    hls.startLoad(next);
    playFrom(next);
  };
  video.addEventListener('error', onVideoError);

  hls.on(Hls.Events.LEVEL_LOADED, (_event, data: LevelLoadedData) => {
    fragments = data.details.fragments;
    events.onPlaylist(data.details.fragments);
  });
  hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
      recoveredMedia = true;
      hls.recoverMediaError();
      return;
    }
    events.onFatalError(errorText(data));
  });
  hls.loadSource(url);
  hls.attachMedia(video);

  return {
    seek(position) {
      if (!started) {
        started = true;
        hls.startLoad(position);
      }
      playFrom(position);
    },
    pause() {
      video.pause();
    },
    destroy() {
      video.removeEventListener('error', onVideoError);
      hls.destroy();
    },
  };
}
