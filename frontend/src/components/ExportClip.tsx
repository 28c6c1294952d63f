import { useEffect, useId, useState, type SubmitEvent } from 'react';
import { useApi } from '../api/ApiContext';
import { ApiError, errorMessage, isAbortError } from '../api/client';
import type { ExportJob } from '../api/types';
import { fromDateTimeLocal, toDateTimeLocal } from '../format/time';
import { Time } from './Time';

export const EXPORT_POLL_MS = 1000;
/** Length of the default export range, centred on the playhead. */
export const DEFAULT_EXPORT_MS = 10 * 60 * 1000;

interface ExportClipProps {
  cameraId: string;
  /** Time the default range is centred on (the playhead); now when null. */
  around: Date | null;
  now: () => Date;
  pollMs?: number;
}

/** The 10 minutes around `around`, shifted to end at `now` at the latest. */
export function defaultExportRange(around: Date | null, now: Date): { start: Date; end: Date } {
  const centre = Math.min((around ?? now).getTime(), now.getTime());
  const end = Math.min(centre + DEFAULT_EXPORT_MS / 2, now.getTime());
  return { start: new Date(end - DEFAULT_EXPORT_MS), end: new Date(end) };
}

const STATUS_TEXT: Record<ExportJob['status'], string> = {
  queued: 'Waiting to start',
  running: 'Exporting',
  done: 'Ready',
  failed: 'Failed',
};

function isFinished(job: ExportJob): boolean {
  return job.status === 'done' || job.status === 'failed';
}

function ExportProgress({ job, pollError }: { job: ExportJob; pollError: string | null }) {
  const percent = Math.round(Math.min(1, Math.max(0, job.progress)) * 100);
  return (
    <div className="export-job" data-testid="export-status" data-status={job.status} data-export-id={job.id}>
      <p className="export-line">
        <strong>{STATUS_TEXT[job.status]}</strong>{' '}
        <span className="muted-inline">
          <Time iso={job.start} withDate /> – <Time iso={job.end} withDate />
        </span>
      </p>
      {!isFinished(job) && (
        <p className="export-line">
          <progress
            max={1}
            value={job.progress}
            aria-label="Export progress"
            data-testid="export-progress"
          />{' '}
          <span aria-hidden="true">{percent}%</span>
        </p>
      )}
      {pollError !== null && (
        <p className="form-error" role="alert">
          {pollError}
        </p>
      )}
      {job.status === 'failed' && (
        <p className="form-error" role="alert">
          {job.error ?? 'The export failed.'}
        </p>
      )}
      {job.status === 'done' && (
        <>
          <p className="export-links">
            {job.clip_url !== null && (
              <a className="button button-primary" href={job.clip_url} download data-testid="export-clip-link">
                Download clip
              </a>
            )}
            {job.manifest_url !== null && (
              <a className="button" href={job.manifest_url} download data-testid="export-manifest-link">
                Download manifest
              </a>
            )}
          </p>
          {job.sha256 !== null && (
            <p className="export-hash">
              SHA-256 of the clip: <code data-testid="export-sha256">{job.sha256}</code>
            </p>
          )}
        </>
      )}
    </div>
  );
}

/** Form to export a time range as one clip with a manifest, with the job's progress. */
export function ExportClip({ cameraId, around, now, pollMs = EXPORT_POLL_MS }: ExportClipProps) {
  const client = useApi();
  const [edited, setEdited] = useState<{ start: string; end: string } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [job, setJob] = useState<ExportJob | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const startId = useId();
  const endId = useId();

  const fallback = defaultExportRange(around, now());
  const values = edited ?? { start: toDateTimeLocal(fallback.start), end: toDateTimeLocal(fallback.end) };

  // Poll the job every second until it is done or failed.
  useEffect(() => {
    if (job === null || isFinished(job)) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      client.getExport(job.id, controller.signal).then(
        (next) => {
          setPollError(null);
          setJob(next);
        },
        (error: unknown) => {
          if (controller.signal.aborted || isAbortError(error)) return;
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
            // The job is gone or not ours: polling again will not help.
            setJob({ ...job, status: 'failed', error: error.message });
            return;
          }
          setPollError(`${errorMessage(error)} Retrying…`);
          setJob({ ...job });
        },
      );
    }, pollMs);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, job, pollMs]);

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const start = fromDateTimeLocal(values.start);
    const end = fromDateTimeLocal(values.end);
    if (start === null || end === null) {
      setFormError('Enter both a start and an end time.');
      return;
    }
    if (start >= end) {
      setFormError('The start must be before the end.');
      return;
    }
    setFormError(null);
    setPollError(null);
    setSubmitting(true);
    try {
      setJob(await client.startExport(cameraId, start, end));
    } catch (error) {
      setFormError(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  }

  const busy = submitting || (job !== null && !isFinished(job));
  return (
    <section className="export-panel" aria-labelledby={`${startId}-title`}>
      <h2 id={`${startId}-title`}>Export clip</h2>
      <form className="export-form" data-testid="export-form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={startId}>Start</label>
          <input
            id={startId}
            type="datetime-local"
            step={1}
            value={values.start}
            onChange={(event) => {
              setEdited({ ...values, start: event.target.value });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={endId}>End</label>
          <input
            id={endId}
            type="datetime-local"
            step={1}
            value={values.end}
            onChange={(event) => {
              setEdited({ ...values, end: event.target.value });
            }}
          />
        </div>
        <div className="export-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {submitting ? 'Starting…' : 'Export clip'}
          </button>
          {edited !== null && (
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                setEdited(null);
              }}
            >
              Around the playhead
            </button>
          )}
        </div>
      </form>
      {formError !== null && (
        <p className="form-error" role="alert" data-testid="export-error">
          {formError}
        </p>
      )}
      {job !== null && <ExportProgress job={job} pollError={pollError} />}
    </section>
  );
}
