import { ApiError, NOT_AUTHENTICATED, type SocketLike } from '../api/client';
import type { Detection, DetectionPage, DetectionQuery } from '../api/types';

/**
 * - `connecting`: the first connection is being made.
 * - `live`: subscribed, and everything stored since the last connection was fetched.
 * - `reconnecting`: the connection dropped; waiting to try again (the feed may miss nothing:
 *   what was stored meanwhile is fetched when it is back).
 * - `signed_out`: the session could not be refreshed.
 * - `not_found`: the camera is not one of the user's tenant's.
 * - `off`: this client has no live feed (no WebSocket support).
 */
export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'signed_out' | 'not_found' | 'off';

export interface FeedSnapshot {
  /** Newest first, each id once, at most `keep`. */
  detections: readonly Detection[];
  state: FeedState;
  /** The greatest id seen, the cursor of the next catch-up. */
  lastId: number | null;
}

/** What the feed needs from the API client. */
export interface FeedSource {
  openDetectionsSocket(cameraId?: string): SocketLike | null;
  listDetections(query: DetectionQuery, signal?: AbortSignal): Promise<DetectionPage>;
  refreshSession(): Promise<boolean>;
}

export interface FeedOptions {
  /** One camera's detections only. */
  cameraId?: string;
  /** How many detections to keep (200). */
  keep?: number;
  /** 0..1, for the backoff's jitter; Math.random by default. */
  random?: () => number;
  /** How often the connection is checked with a ping (15 s). */
  pingMs?: number;
  /** How long a pong may take before the connection is dropped (10 s). */
  pongTimeoutMs?: number;
}

export const FIRST_RETRY_MS = 500;
export const MAX_RETRY_MS = 10_000;
export const PAGE_LIMIT = 500;
/** A catch-up longer than this many pages gives up paging and takes the newest `keep`. */
export const MAX_CATCH_UP_PAGES = 20;
export const CLOSE_NOT_AUTHENTICATED = 4401;
export const CLOSE_NOT_FOUND = 4404;

/** The wait before reconnect attempt `attempt` (0-based): 0.5 s doubling to 10 s, half of it random. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return ceiling / 2 + (ceiling / 2) * random();
}

type Listener = () => void;

/** A frame in which nothing was found is analysed, not detected: it only moves the cursor. */
export function hasFindings(detection: Detection): boolean {
  return detection.labels.length > 0 || detection.faces.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDetection(value: unknown): value is Detection {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    typeof value.camera_id === 'string' &&
    typeof value.captured_at === 'string' &&
    Array.isArray(value.labels)
  );
}

/**
 * The live detections feed without holes: a WebSocket for what is stored from now on, and
 * after every (re)connection `GET /api/detections?since=<last id seen>` paged until it is
 * exhausted, for what was stored while it was not connected. The catch-up starts once the
 * server has answered a ping, that is once the socket has joined its group, so nothing
 * stored in between is missed. Detections are kept by id (no duplicates), newest first;
 * frames in which nothing was found are not kept.
 *
 * A refused token (close 4401) is refreshed once and the socket reopened at once; any other
 * drop, a failed catch-up or a ping without a pong reconnects after `retryDelay`.
 */
export class DetectionFeed {
  private readonly source: FeedSource;
  private readonly cameraId: string | undefined;
  private readonly keep: number;
  private readonly random: () => number;
  private readonly pingMs: number;
  private readonly pongTimeoutMs: number;
  private readonly listeners = new Set<Listener>();
  private snapshot: FeedSnapshot = { detections: [], state: 'connecting', lastId: null };
  private running = false;
  private socket: SocketLike | null = null;
  /** Changes with every socket: callbacks of an older one are ignored. */
  private generation = 0;
  private attempt = 0;
  private refreshedToken = false;
  private subscribed = false;
  /** The last id seen before the current socket opened: where its catch-up starts. Not
   * what the socket itself pushed, which may be newer than what was missed. */
  private catchUpFrom: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private catchUpAbort: AbortController | null = null;

  constructor(source: FeedSource, options: FeedOptions = {}) {
    this.source = source;
    this.cameraId = options.cameraId;
    this.keep = options.keep ?? 200;
    this.random = options.random ?? Math.random;
    this.pingMs = options.pingMs ?? 15_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
  }

  // ---- for React's useSyncExternalStore ----------------------------------------------------

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): FeedSnapshot => this.snapshot;

  // ---- lifecycle ---------------------------------------------------------------------------

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.refreshedToken = false;
    this.update({ state: this.snapshot.lastId === null ? 'connecting' : 'reconnecting' });
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.dropSocket();
    clearTimeout(this.retryTimer);
  }

  // ---- internals ---------------------------------------------------------------------------

  private update(changes: Partial<FeedSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...changes };
    for (const listener of [...this.listeners]) listener();
  }

  private add(detections: readonly Detection[]): void {
    if (detections.length === 0) return;
    const byId = new Map<number, Detection>();
    for (const detection of this.snapshot.detections) byId.set(detection.id, detection);
    let lastId = this.snapshot.lastId;
    for (const detection of detections) {
      if (hasFindings(detection)) byId.set(detection.id, detection);
      if (lastId === null || detection.id > lastId) lastId = detection.id;
    }
    const newest = [...byId.values()].sort((a, b) => b.id - a.id).slice(0, this.keep);
    this.update({ detections: newest, lastId });
  }

  private connect(): void {
    if (!this.running) return;
    this.dropSocket();
    let socket: SocketLike | null;
    try {
      socket = this.source.openDetectionsSocket(this.cameraId);
    } catch (error) {
      this.update({ state: error instanceof ApiError && error.code === NOT_AUTHENTICATED ? 'signed_out' : 'off' });
      this.running = false;
      return;
    }
    if (socket === null) {
      this.update({ state: 'off' });
      this.running = false;
      return;
    }
    const generation = ++this.generation;
    this.socket = socket;
    this.subscribed = false;
    this.catchUpFrom = this.snapshot.lastId;
    const current = () => this.running && generation === this.generation;
    socket.onopen = () => {
      if (current()) this.ping();
    };
    socket.onmessage = (event) => {
      if (current()) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (current()) void this.closed(event.code);
    };
    socket.onerror = () => undefined; // a close follows
  }

  private dropSocket(): void {
    this.generation += 1;
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.catchUpAbort?.abort();
    this.catchUpAbort = null;
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = null;
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
  }

  private ping(): void {
    clearTimeout(this.pingTimer);
    try {
      this.socket?.send(JSON.stringify({ type: 'ping' }));
    } catch {
      // Closing: its close event follows.
    }
    const generation = this.generation;
    this.pongTimer = setTimeout(() => {
      // No answer: the connection is dead even if the browser has not noticed yet.
      if (this.running && generation === this.generation) this.reconnectLater();
    }, this.pongTimeoutMs);
  }

  private receive(data: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (!isRecord(message)) return;
    if (message.type === 'pong') {
      clearTimeout(this.pongTimer);
      const generation = this.generation;
      this.pingTimer = setTimeout(() => {
        if (this.running && generation === this.generation) this.ping();
      }, this.pingMs);
      if (!this.subscribed) {
        this.subscribed = true;
        void this.catchUp(generation);
      }
    } else if (message.type === 'detection' && isDetection(message.detection)) {
      this.add([message.detection]);
    }
  }

  private async catchUp(generation: number): Promise<void> {
    const controller = new AbortController();
    this.catchUpAbort = controller;
    const current = () => this.running && generation === this.generation && !controller.signal.aborted;
    const cameraId = this.cameraId;
    const scope = cameraId === undefined ? {} : { cameraId };
    try {
      let since = this.catchUpFrom;
      if (since === null) {
        const page = await this.source.listDetections(
          { ...scope, limit: Math.min(this.keep, PAGE_LIMIT) },
          controller.signal,
        );
        if (!current()) return;
        this.add(page.results);
      } else {
        for (let pages = 0; ; pages += 1) {
          if (pages === MAX_CATCH_UP_PAGES) {
            // Far behind: only the newest `keep` are shown anyway.
            const page = await this.source.listDetections(
              { ...scope, limit: Math.min(this.keep, PAGE_LIMIT) },
              controller.signal,
            );
            if (!current()) return;
            this.add(page.results);
            break;
          }
          const page = await this.source.listDetections(
            { ...scope, since, limit: PAGE_LIMIT },
            controller.signal,
          );
          if (!current()) return;
          this.add(page.results);
          if (page.results.length < PAGE_LIMIT || page.next_since === null) break;
          since = page.next_since;
        }
      }
      if (!current()) return;
      this.attempt = 0;
      this.refreshedToken = false;
      this.update({ state: 'live' });
    } catch (error) {
      if (!current()) return;
      if (error instanceof ApiError && error.code === NOT_AUTHENTICATED) {
        this.dropSocket();
        this.running = false;
        this.update({ state: 'signed_out' });
        return;
      }
      // The socket is fine but the feed would have a hole: start again.
      this.reconnectLater();
    }
  }

  private async closed(code: number): Promise<void> {
    this.dropSocket();
    if (code === CLOSE_NOT_FOUND) {
      this.running = false;
      this.update({ state: 'not_found' });
      return;
    }
    if (code === CLOSE_NOT_AUTHENTICATED && !this.refreshedToken) {
      this.refreshedToken = true;
      if (this.snapshot.state === 'live') this.update({ state: 'reconnecting' });
      let refreshed: boolean;
      try {
        refreshed = await this.source.refreshSession();
      } catch {
        // The server cannot be reached: try again later.
        this.reconnectLater();
        return;
      }
      if (!this.running) return;
      if (!refreshed) {
        this.running = false;
        this.update({ state: 'signed_out' });
        return;
      }
      this.connect();
      return;
    }
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.dropSocket();
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    const delay = retryDelay(this.attempt, this.random);
    this.attempt += 1;
    this.update({ state: 'reconnecting' });
    this.retryTimer = setTimeout(() => {
      this.connect();
    }, delay);
  }
}
