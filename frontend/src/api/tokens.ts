import type { TokenPair } from './types';

/** Where the client keeps its JWTs. */
export interface TokenStore {
  load(): TokenPair | null;
  save(tokens: TokenPair): void;
  clear(): void;
}

const STORAGE_KEY = 'vms.auth.tokens';

function isTokenPair(value: unknown): value is TokenPair {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.access === 'string' && typeof record.refresh === 'string';
}

/** Tokens in a Web Storage area (sessionStorage by default): gone when the tab closes. */
export class WebStorageTokenStore implements TokenStore {
  private readonly storage: Storage;
  private readonly key: string;

  constructor(storage: Storage = window.sessionStorage, key: string = STORAGE_KEY) {
    this.storage = storage;
    this.key = key;
  }

  load(): TokenPair | null {
    const raw = this.storage.getItem(this.key);
    if (raw === null) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return isTokenPair(parsed) ? { access: parsed.access, refresh: parsed.refresh } : null;
    } catch {
      return null;
    }
  }

  save(tokens: TokenPair): void {
    this.storage.setItem(this.key, JSON.stringify({ access: tokens.access, refresh: tokens.refresh }));
  }

  clear(): void {
    this.storage.removeItem(this.key);
  }
}

/** Tokens held in memory only. */
export class MemoryTokenStore implements TokenStore {
  private tokens: TokenPair | null;

  constructor(initial: TokenPair | null = null) {
    this.tokens = initial;
  }

  load(): TokenPair | null {
    return this.tokens;
  }

  save(tokens: TokenPair): void {
    this.tokens = { ...tokens };
  }

  clear(): void {
    this.tokens = null;
  }
}
