import type { PlaylistFragment } from './hlsTimeline';

/** What a stream session tells the player; never called before the engine has returned the session. */
export interface StreamEvents {
  /** The playlist was parsed; `fragments` are in media order and may be updated in place later. */
  onPlaylist: (fragments: readonly PlaylistFragment[]) => void;
  /** Playback cannot continue; `message` is for the user. */
  onFatalError: (message: string) => void;
}

export interface StreamSession {
  /** Move to a media position (seconds); the first call also starts loading media. */
  seek: (position: number) => void;
  pause: () => void;
  destroy: () => void;
}

/** Plays an HLS playlist URL in a `<video>` element. The port the player depends on. */
export type StreamEngine = (video: HTMLVideoElement, url: string, events: StreamEvents) => StreamSession;
