import type { PlaylistFragment } from '../playback/hlsTimeline';
import type { StreamEngine, StreamEvents } from '../playback/streamEngine';

export interface FakeSession {
  url: string;
  video: HTMLVideoElement;
  events: StreamEvents;
  seeks: number[];
  paused: number;
  destroyed: boolean;
}

/**
 * A stream engine that plays nothing: it records what the player asked for, and the test
 * delivers the playlist (`publish`) or a fatal error itself, as hls.js would, asynchronously.
 */
export function fakeEngine(): StreamEngine & { sessions: FakeSession[]; last: () => FakeSession } {
  const sessions: FakeSession[] = [];
  const engine: StreamEngine = (video, url, events) => {
    const session: FakeSession = { url, video, events, seeks: [], paused: 0, destroyed: false };
    sessions.push(session);
    return {
      seek(position) {
        session.seeks.push(position);
      },
      pause() {
        session.paused += 1;
      },
      destroy() {
        session.destroyed = true;
      },
    };
  };
  return Object.assign(engine, {
    sessions,
    last() {
      const session = sessions[sessions.length - 1];
      if (session === undefined) throw new Error('no stream session was started');
      return session;
    },
  });
}

/**
 * Fragments as hls.js lays them out: one per segment, back to back on the media timeline,
 * each dated by its PROGRAM-DATE-TIME. `spans` are [wall-clock start ISO, seconds].
 */
export function fragments(...spans: [string, number][]): PlaylistFragment[] {
  let position = 0;
  return spans.map(([start, duration]) => {
    const fragment = { start: position, duration, programDateTime: Date.parse(start) };
    position += duration;
    return fragment;
  });
}
