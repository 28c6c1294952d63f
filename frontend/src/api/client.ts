import type { TokenStore } from './tokens';
import type {
  AccessToken,
  ApiErrorBody,
  Camera,
  DetectionPage,
  DetectionQuery,
  ExportJob,
  Me,
  Permission,
  PlaybackRange,
  Role,
  Tenant,
  Timeline,
  TokenPair,
} from './types';

/** The subset of `window.fetch` the client needs. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** An error reported by the API (`{message, code, extra}`) or raised by the client itself. */
export class ApiError extends Error {
  readonly code: string;
  readonly extra: Record<string, unknown>;
  /** HTTP status, or 0 when no response was received. */
  readonly status: number;

  constructor(message: string, code: string, extra: Record<string, unknown> = {}, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.extra = extra;
    this.status = status;
  }
}

export const NOT_AUTHENTICATED = 'not_authenticated';
export const NETWORK_ERROR = 'network_error';

/** The subset of a browser `WebSocket` the live feed uses. */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a WebSocket to an absolute `ws:` or `wss:` URL. */
export type SocketFactory = (url: string) => SocketLike;

export interface ApiClientOptions {
  fetch: FetchLike;
  tokens: TokenStore;
  /** Prefix for API paths, e.g. `http://127.0.0.1:8000`. Empty means same origin. */
  baseUrl?: string;
  /** Opens the live feed's WebSockets; without it there is no live feed. */
  openSocket?: SocketFactory;
}

type AuthListener = () => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ROLES: ReadonlySet<string> = new Set<Role>(['viewer', 'operator', 'admin']);
const PERMISSIONS: ReadonlySet<string> = new Set<Permission>(['view_stream', 'control_camera', 'manage_config']);

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLES.has(value);
}

function isPermission(value: string): value is Permission {
  return PERMISSIONS.has(value);
}

/** A tenant `{id, name}`, null for none, undefined when the value is neither. */
function readTenant(value: unknown): Tenant | null | undefined {
  if (value === null) return null;
  if (isRecord(value) && typeof value.id === 'string' && typeof value.name === 'string') {
    return { id: value.id, name: value.name };
  }
  return undefined;
}

/** The user `GET /api/me` answered, or null when the answer is not one; unknown permissions grant nothing. */
function readMe(body: unknown): Me | null {
  if (!isRecord(body)) return null;
  const { id, username, email, first_name, last_name, role, permissions } = body;
  const tenant = readTenant(body.tenant);
  if (typeof id !== 'number' || typeof username !== 'string' || !isRole(role)) return null;
  if (tenant === undefined) return null;
  if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string')) return null;
  return {
    id,
    username,
    email: typeof email === 'string' ? email : '',
    first_name: typeof first_name === 'string' ? first_name : '',
    last_name: typeof last_name === 'string' ? last_name : '',
    tenant,
    role,
    permissions: permissions.filter(isPermission),
  };
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return isRecord(value) && typeof value.message === 'string' && typeof value.code === 'string';
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return (
    signal?.aborted === true || (error instanceof DOMException && error.name === 'AbortError')
  );
}

/** True for errors caused by an aborted request, which callers usually ignore. */
export function isAbortError(error: unknown): boolean {
  return (
    (error instanceof DOMException || error instanceof Error) && error.name === 'AbortError'
  );
}

function sessionExpired(): ApiError {
  return new ApiError('Your session has expired. Please sign in again.', NOT_AUTHENTICATED, {}, 401);
}

/**
 * Typed client for the VMS API.
 *
 * Authenticated calls carry `Authorization: Bearer <access>`. On a 401 the client
 * refreshes the access token once and retries the call once; if that fails too, the
 * tokens are dropped and subscribers are told the user is signed out.
 */
export class ApiClient {
  private readonly fetchFn: FetchLike;
  private readonly tokens: TokenStore;
  private readonly baseUrl: string;
  private readonly listeners = new Set<AuthListener>();
  private refreshing: Promise<string | null> | null = null;
  private readonly openSocket: SocketFactory | null;

  constructor(options: ApiClientOptions) {
    this.fetchFn = options.fetch;
    this.tokens = options.tokens;
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.openSocket = options.openSocket ?? null;
  }

  // ---- session -------------------------------------------------------------------

  isAuthenticated(): boolean {
    return this.tokens.load() !== null;
  }

  /** Subscribe to sign-in / sign-out changes; returns the unsubscribe function. */
  subscribe(listener: AuthListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async login(username: string, password: string): Promise<void> {
    const response = await this.send('/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username, password }),
    });
    const tokens = await this.parse<TokenPair>(response);
    this.tokens.save({ access: tokens.access, refresh: tokens.refresh });
    this.notify();
  }

  signOut(): void {
    const hadTokens = this.tokens.load() !== null;
    this.tokens.clear();
    if (hadTokens) this.notify();
  }

  // ---- resources -----------------------------------------------------------------

  /** The signed-in user: who they are, their tenant, role and permissions. */
  async me(signal?: AbortSignal): Promise<Me> {
    const body = await this.authed<unknown>('/api/me', { method: 'GET' }, signal);
    const me = readMe(body);
    if (me === null) {
      throw new ApiError('The server sent an unreadable answer.', 'invalid_response', {}, 200);
    }
    return me;
  }

  listCameras(signal?: AbortSignal): Promise<Camera[]> {
    return this.authed<Camera[]>('/api/cameras/', { method: 'GET' }, signal);
  }

  getCamera(id: string, signal?: AbortSignal): Promise<Camera> {
    return this.authed<Camera>(`/api/cameras/${encodeURIComponent(id)}/`, { method: 'GET' }, signal);
  }

  getPlayback(cameraId: string, start: Date, end: Date, signal?: AbortSignal): Promise<PlaybackRange> {
    const query = new URLSearchParams({ start: start.toISOString(), end: end.toISOString() });
    return this.authed<PlaybackRange>(
      `/api/playback/${encodeURIComponent(cameraId)}?${query.toString()}`,
      { method: 'GET' },
      signal,
    );
  }

  /** Recorded and gap seconds per bucket of `bucketSeconds` over [start, end). */
  getTimeline(
    cameraId: string,
    start: Date,
    end: Date,
    bucketSeconds: number,
    signal?: AbortSignal,
  ): Promise<Timeline> {
    const query = new URLSearchParams({
      start: start.toISOString(),
      end: end.toISOString(),
      bucket: String(bucketSeconds),
    });
    return this.authed<Timeline>(
      `/api/playback/${encodeURIComponent(cameraId)}/timeline?${query.toString()}`,
      { method: 'GET' },
      signal,
    );
  }

  /** Starts exporting [start, end) of a camera as one clip; answers with the queued job. */
  startExport(cameraId: string, start: Date, end: Date, signal?: AbortSignal): Promise<ExportJob> {
    return this.authed<ExportJob>(
      `/api/playback/${encodeURIComponent(cameraId)}/export`,
      {
        method: 'POST',
        body: JSON.stringify({ start: start.toISOString(), end: end.toISOString() }),
      },
      signal,
    );
  }

  getExport(id: string, signal?: AbortSignal): Promise<ExportJob> {
    return this.authed<ExportJob>(`/api/exports/${encodeURIComponent(id)}`, { method: 'GET' }, signal);
  }

  /** The tenant's detections: with `since`, those after it (ascending); without, the newest. */
  listDetections(query: DetectionQuery = {}, signal?: AbortSignal): Promise<DetectionPage> {
    const params = new URLSearchParams();
    if (query.cameraId !== undefined) params.set('camera_id', query.cameraId);
    if (query.since !== undefined) params.set('since', String(query.since));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    const search = params.toString();
    return this.authed<DetectionPage>(
      `/api/detections${search === '' ? '' : `?${search}`}`,
      { method: 'GET' },
      signal,
    );
  }

  // ---- live feed -----------------------------------------------------------------

  /**
   * Opens `/ws/detections` with the current access token (and `camera_id` when given).
   * Null without a socket factory; throws the session-expired ApiError when signed out.
   */
  openDetectionsSocket(cameraId?: string): SocketLike | null {
    if (this.openSocket === null) return null;
    const tokens = this.tokens.load();
    if (tokens === null) throw sessionExpired();
    const query = new URLSearchParams({ token: tokens.access });
    if (cameraId !== undefined) query.set('camera_id', cameraId);
    return this.openSocket(`${this.socketBase()}/ws/detections?${query.toString()}`);
  }

  /**
   * A new access token after the server refused the current one (WebSocket close 4401).
   * False, and signed out, when the refresh token is refused too.
   */
  async refreshSession(): Promise<boolean> {
    const access = await this.refreshAccess();
    if (access === null) {
      this.signOut();
      return false;
    }
    return true;
  }

  // ---- plumbing ------------------------------------------------------------------

  private socketBase(): string {
    if (/^https?:\/\//.test(this.baseUrl)) return this.baseUrl.replace(/^http/, 'ws');
    const { protocol, host } = window.location;
    return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${this.baseUrl}`;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private async authed<T>(path: string, init: RequestInit, signal?: AbortSignal): Promise<T> {
    const tokens = this.tokens.load();
    if (tokens === null) {
      this.signOut();
      throw sessionExpired();
    }
    let response = await this.send(path, init, tokens.access, signal);
    if (response.status === 401) {
      const stored = this.tokens.load();
      // Another call may already have refreshed the token while this one was in flight.
      const access =
        stored !== null && stored.access !== tokens.access ? stored.access : await this.refreshAccess();
      if (access === null) {
        this.signOut();
        throw sessionExpired();
      }
      response = await this.send(path, init, access, signal);
      if (response.status === 401) {
        this.signOut();
        throw sessionExpired();
      }
    }
    return this.parse<T>(response);
  }

  /** New access token, or null when the refresh token was refused. Shared by concurrent callers. */
  private refreshAccess(): Promise<string | null> {
    if (this.refreshing === null) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<string | null> {
    const tokens = this.tokens.load();
    if (tokens === null) return null;
    const response = await this.send('/api/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refresh: tokens.refresh }),
    });
    if (response.status >= 400 && response.status < 500) return null;
    const body = await this.parse<AccessToken>(response);
    if (typeof body.access !== 'string') return null;
    this.tokens.save({ access: body.access, refresh: body.refresh ?? tokens.refresh });
    return body.access;
  }

  private async send(
    path: string,
    init: RequestInit,
    access?: string,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    if (init.body !== undefined) headers.set('Content-Type', 'application/json');
    if (access !== undefined) headers.set('Authorization', `Bearer ${access}`);
    const request: RequestInit = { ...init, headers };
    if (signal !== undefined) request.signal = signal;
    try {
      return await this.fetchFn(this.baseUrl + path, request);
    } catch (error) {
      if (isAbort(error, signal)) throw error;
      throw new ApiError('Cannot reach the server. Check the connection and try again.', NETWORK_ERROR);
    }
  }

  private async parse<T>(response: Response): Promise<T> {
    let body: unknown = null;
    const text = await response.text();
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    if (!response.ok) {
      if (isErrorBody(body)) {
        const extra = isRecord(body.extra) ? body.extra : {};
        throw new ApiError(body.message, body.code, extra, response.status);
      }
      throw new ApiError(
        `The server answered with HTTP ${response.status}.`,
        'http_error',
        {},
        response.status,
      );
    }
    if (body === null) {
      throw new ApiError('The server sent an unreadable answer.', 'invalid_response', {}, response.status);
    }
    return body as T;
  }
}

/** Human-readable text for any error thrown by the client. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message !== '') return error.message;
  return 'Something went wrong.';
}
