import { formatDateTime, formatTime } from '../format/time';

interface TimeProps {
  /** UTC ISO-8601 timestamp, shown in local time and kept in the tooltip. */
  iso: string;
  withDate?: boolean;
}

export function Time({ iso, withDate = false }: TimeProps) {
  return (
    <time dateTime={iso} title={iso}>
      {withDate ? formatDateTime(iso) : formatTime(iso)}
    </time>
  );
}
