import type { FetchLike } from '../api/client';

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
}

type Responder = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

export function json(status: number, body?: unknown): FakeResponse {
  return { status, body };
}

/**
 * A fetch stand-in driven by a routing function; records every request.
 * The responder sees method, URL (with query), headers and the parsed JSON body.
 */
export function fakeFetch(responder: Responder): FetchLike & { requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fn = async (input: string, init?: RequestInit): Promise<Response> => {
    const rawBody = init?.body;
    const request: RecordedRequest = {
      url: input,
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof rawBody === 'string' ? (JSON.parse(rawBody) as unknown) : undefined,
    };
    requests.push(request);
    if (init?.signal?.aborted === true) throw new DOMException('Aborted', 'AbortError');
    const reply = await responder(request);
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    return new Response(reply.status === 204 ? null : text, {
      status: reply.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  return Object.assign(fn, { requests });
}

export function apiError(message: string, code: string, extra: Record<string, unknown> = {}) {
  return { message, code, extra };
}
