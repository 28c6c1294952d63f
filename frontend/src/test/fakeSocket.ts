import type { SocketFactory, SocketLike } from '../api/client';

/**
 * A WebSocket stand-in the test plays the server of: `accept()`, `push()`, `serverClose()`.
 * Pings are answered with a pong on the next turn unless `answerPings` is false.
 */
export class FakeSocket implements SocketLike {
  readonly url: string;
  readonly sent: unknown[] = [];
  closedByClient = false;
  answerPings = true;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(url: string) {
    this.url = url;
  }

  get params(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  send(data: string): void {
    const message: unknown = JSON.parse(data);
    this.sent.push(message);
    const isPing =
      typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ping';
    if (isPing && this.answerPings) {
      queueMicrotask(() => {
        this.push({ type: 'pong' });
      });
    }
  }

  close(): void {
    this.closedByClient = true;
  }

  accept(): void {
    this.onopen?.(new Event('open'));
  }

  push(message: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }

  serverClose(code: number): void {
    this.onclose?.(new CloseEvent('close', { code }));
  }
}

/** A socket factory that keeps every socket it opened, newest last. */
export function fakeSockets(): SocketFactory & { opened: FakeSocket[]; last(): FakeSocket } {
  const opened: FakeSocket[] = [];
  const factory = (url: string) => {
    const socket = new FakeSocket(url);
    opened.push(socket);
    return socket;
  };
  return Object.assign(factory, {
    opened,
    last(): FakeSocket {
      const socket = opened.at(-1);
      if (socket === undefined) throw new Error('no socket was opened');
      return socket;
    },
  });
}
