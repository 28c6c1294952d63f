import type { Detection } from '../api/types';
import { CAMERA_ID } from './fixtures';

/** Detection `id`, captured `id` seconds after 12:00:00 UTC on 2024-05-01. */
export function detection(id: number, overrides: Partial<Detection> = {}): Detection {
  const captured = Date.parse('2024-05-01T12:00:00Z') + id * 1000;
  return {
    id,
    event_id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    camera_id: CAMERA_ID,
    captured_at: new Date(captured).toISOString(),
    processed_at: new Date(captured + 250).toISOString(),
    provider: 'local',
    labels: [{ name: 'person', confidence: 0.91, box: { left: 0.1, top: 0.2, width: 0.3, height: 0.6 } }],
    faces: [],
    trace_id: `trace-${id}`,
    ...overrides,
  };
}

/** Detections `from`..`to`, inclusive, ascending. */
export function detections(from: number, to: number): Detection[] {
  const list: Detection[] = [];
  for (let id = from; id <= to; id += 1) list.push(detection(id));
  return list;
}
