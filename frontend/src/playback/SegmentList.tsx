import { useEffect, useRef } from 'react';
import type { Gap, Segment } from '../api/types';
import { Time } from '../components/Time';
import { formatDuration, secondsBetween } from '../format/time';

interface SegmentListProps {
  segments: readonly Segment[];
  gaps: readonly Gap[];
  /** Id of the segment in the player, highlighted in the list. */
  currentId: number | null;
  onSelect: (segment: Segment) => void;
}

type Entry = { kind: 'segment'; segment: Segment } | { kind: 'gap'; gap: Gap };

function entryStart(entry: Entry): number {
  return Date.parse(entry.kind === 'segment' ? entry.segment.start : entry.gap.start);
}

/** Segments and gaps of the range, oldest first, as one timeline. */
function timeline(segments: readonly Segment[], gaps: readonly Gap[]): Entry[] {
  const entries: Entry[] = [
    ...segments.map((segment): Entry => ({ kind: 'segment', segment })),
    ...gaps.map((gap): Entry => ({ kind: 'gap', gap })),
  ];
  // Stable sort keeps the API's order for equal starts; a gap sorts after a segment starting with it.
  return entries.sort((a, b) => entryStart(a) - entryStart(b) || (a.kind === b.kind ? 0 : a.kind === 'gap' ? 1 : -1));
}

function SegmentItem({
  segment,
  current,
  onSelect,
}: {
  segment: Segment;
  current: boolean;
  onSelect: (segment: Segment) => void;
}) {
  const corrupt = segment.status !== 'ok';
  const classes = ['timeline-item', 'segment-item'];
  if (current) classes.push('is-current');
  if (corrupt) classes.push('is-corrupt');
  return (
    <li
      className={classes.join(' ')}
      data-testid="segment-item"
      data-segment-id={segment.id}
      data-status={segment.status}
      data-current={current ? 'true' : 'false'}
      aria-current={current ? 'true' : undefined}
    >
      <button
        type="button"
        className="segment-button"
        disabled={corrupt}
        onClick={() => {
          onSelect(segment);
        }}
      >
        <span className="segment-times">
          <Time iso={segment.start} /> – <Time iso={segment.end} />
        </span>
        <span className="segment-meta">
          {corrupt ? (
            <span className="tag tag-danger">Corrupt</span>
          ) : (
            formatDuration(segment.duration)
          )}
          {current && <span className="tag tag-accent">Playing</span>}
        </span>
      </button>
    </li>
  );
}

function GapItem({ gap }: { gap: Gap }) {
  return (
    <li className="timeline-item gap-item" data-testid="gap-item">
      Gap <Time iso={gap.start} /> – <Time iso={gap.end} /> ({formatDuration(secondsBetween(gap.start, gap.end))})
    </li>
  );
}

/** Scroll the list (not the page) just enough to show the current item. */
function revealCurrent(list: HTMLElement): void {
  const item = list.querySelector<HTMLElement>('[aria-current="true"]');
  if (item === null) return;
  const top = item.offsetTop;
  const bottom = top + item.offsetHeight;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
}

export function SegmentList({ segments, gaps, currentId, onSelect }: SegmentListProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const entries = timeline(segments, gaps);

  useEffect(() => {
    if (listRef.current !== null) revealCurrent(listRef.current);
  }, [currentId]);

  if (entries.length === 0) return null;
  return (
    <ol ref={listRef} className="timeline" aria-label="Segments and gaps">
      {entries.map((entry) =>
        entry.kind === 'segment' ? (
          <SegmentItem
            key={`segment-${entry.segment.id}`}
            segment={entry.segment}
            current={entry.segment.id === currentId}
            onSelect={onSelect}
          />
        ) : (
          <GapItem key={`gap-${entry.gap.start}-${entry.gap.end}`} gap={entry.gap} />
        ),
      )}
    </ol>
  );
}
