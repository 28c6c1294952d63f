import type { PlaybackRange, Segment } from '../api/types';
import {
  AUTO,
  advanceSelection,
  isPlayable,
  mergeRange,
  reconcileSelection,
  type Selection,
} from './sequence';

export interface PlaybackState {
  /** Last range received, merged with earlier ones; null until the first answer. */
  range: PlaybackRange | null;
  /** Message of the last failed fetch; cleared by the next successful one. */
  error: string | null;
  selection: Selection;
  /** Short note about playback trouble, e.g. a segment the browser could not play. */
  notice: string | null;
}

export type PlaybackAction =
  | { type: 'loaded'; range: PlaybackRange }
  | { type: 'failed'; message: string }
  | { type: 'select'; segment: Segment }
  | { type: 'ended'; segment: Segment }
  | { type: 'playbackFailed'; segment: Segment; message: string };

export const initialPlaybackState: PlaybackState = {
  range: null,
  error: null,
  selection: AUTO,
  notice: null,
};

function isCurrent(state: PlaybackState, segment: Segment): boolean {
  return state.selection.kind === 'playing' && state.selection.segment.id === segment.id;
}

export function playbackReducer(state: PlaybackState, action: PlaybackAction): PlaybackState {
  switch (action.type) {
    case 'loaded': {
      const range = mergeRange(state.range, action.range);
      return {
        ...state,
        range,
        error: null,
        selection: reconcileSelection(state.selection, range.segments),
      };
    }
    case 'failed':
      return { ...state, error: action.message };
    case 'select':
      if (!isPlayable(action.segment)) return state;
      return { ...state, selection: { kind: 'playing', segment: action.segment }, notice: null };
    case 'ended':
      // Ignore stale events from a segment that is no longer loaded.
      if (!isCurrent(state, action.segment)) return state;
      return {
        ...state,
        selection: advanceSelection(state.range?.segments ?? [], action.segment),
        notice: null,
      };
    case 'playbackFailed':
      if (!isCurrent(state, action.segment)) return state;
      return {
        ...state,
        selection: advanceSelection(state.range?.segments ?? [], action.segment),
        notice: action.message,
      };
  }
}
