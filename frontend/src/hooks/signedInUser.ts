import { errorMessage } from '../api/client';
import type { Me, Permission } from '../api/types';

/**
 * - `loading`: `GET /api/me` has not answered yet (or nobody is signed in).
 * - `ready`: who is signed in, with their role and permissions.
 * - `failed`: it could not be fetched; the app goes on as if the user may do nothing extra.
 */
export type SignedInUser =
  | { status: 'loading' }
  | { status: 'ready'; me: Me }
  | { status: 'failed'; error: string };

/** What the store needs from the API client. */
export interface MeSource {
  me(signal?: AbortSignal): Promise<Me>;
  isAuthenticated(): boolean;
  /** Called on every sign-in and sign-out. */
  subscribe(listener: () => void): () => void;
}

type Listener = () => void;

const LOADING: SignedInUser = { status: 'loading' };

/** True when the user is known and their role grants `permission`. */
export function userCan(user: SignedInUser, permission: Permission): boolean {
  return user.status === 'ready' && user.me.permissions.includes(permission);
}

/**
 * The signed-in user, fetched once per sign-in when someone first asks for it and shared by
 * everyone who does. A sign-in or sign-out forgets it (and an answer still on its way for
 * the previous session); a failed fetch is tried again when someone new asks.
 */
export class SignedInUserStore {
  private readonly source: MeSource;
  private readonly listeners = new Set<Listener>();
  private state: SignedInUser = LOADING;
  /** Bumped on every sign-in and sign-out: answers for an older session are dropped. */
  private session = 0;
  private pending = false;

  constructor(source: MeSource) {
    this.source = source;
    source.subscribe(() => {
      this.session += 1;
      this.pending = false;
      this.set(LOADING);
      if (this.listeners.size > 0) this.load();
    });
  }

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    this.load();
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): SignedInUser => this.state;

  /** Fetches the user unless it is known or on its way, or nobody is signed in. */
  private load(): void {
    if (this.pending || this.state.status === 'ready' || !this.source.isAuthenticated()) return;
    this.pending = true;
    const session = this.session;
    const settle = (state: SignedInUser) => {
      if (session !== this.session) return;
      this.pending = false;
      this.set(state);
    };
    this.source.me().then(
      (me) => {
        settle({ status: 'ready', me });
      },
      (error: unknown) => {
        settle({ status: 'failed', error: errorMessage(error) });
      },
    );
  }

  private set(state: SignedInUser): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of [...this.listeners]) listener();
  }
}

const stores = new WeakMap<MeSource, SignedInUserStore>();

/** The one store of the client's signed-in user. */
export function signedInUserOf(source: MeSource): SignedInUserStore {
  let store = stores.get(source);
  if (store === undefined) {
    store = new SignedInUserStore(source);
    stores.set(source, store);
  }
  return store;
}
