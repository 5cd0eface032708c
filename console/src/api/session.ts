/**
 * The token lives for this tab only: sessionStorage (it survives a reload, not a new tab or the
 * browser closing), or memory where storage is refused. Never a URL, never localStorage.
 */
const KEY = 'stanza-gateway-console.token';
let inMemory: string | null = null;

export function savedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return inMemory;
  }
}

export function saveToken(token: string | null): void {
  inMemory = token;
  try {
    if (token === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // Storage refused (privacy mode): memory only, gone on reload.
  }
}
