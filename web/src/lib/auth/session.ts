/** The signed-in person, in memory only: the access token never reaches localStorage,
 * sessionStorage or a readable cookie. The refresh token is an httpOnly cookie that the
 * gateway sets and rotates (`/v1/auth/session`); a page script cannot read it. */
import type { Schemas } from "../api/client";
import { apiUrl } from "../config";

/** A role, as the API names it. */
export type AccountRole = Schemas["Role"];
export type SignedIn = { accessToken: string; subject: string; role: AccountRole; expiresAt: number };

type Listener = (session: SignedIn | null) => void;

let current: SignedIn | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<SignedIn | null> | null = null;
const listeners = new Set<Listener>();

export function session(): SignedIn | null {
  return current;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

type Answer = { access_token: string; expires_in: number; subject_id: string; role: string };

function set(answer: Answer | null): SignedIn | null {
  clearTimeout(timer);
  current = answer && {
    accessToken: answer.access_token,
    subject: answer.subject_id,
    role: answer.role as AccountRole,
    expiresAt: Date.now() + answer.expires_in * 1000,
  };
  if (answer) {
    // Refresh silently a little before the access token expires.
    const inMs = Math.max(5_000, (answer.expires_in - 30) * 1000);
    timer = setTimeout(() => void refresh(), inMs);
  }
  for (const listener of listeners) listener(current);
  return current;
}

/** Calls one of the session routes, with the cookie (and only these calls carry it). */
async function sessionCall(path: string, init: RequestInit): Promise<Response> {
  return fetch(`${apiUrl()}/v1/auth/session${path}`, { ...init, credentials: "include" });
}

export async function signIn(username: string, password: string): Promise<Response> {
  const response = await sessionCall("", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.ok) set((await response.clone().json()) as Answer);
  return response;
}

/** A new access token through the cookie; null (signed out) when the cookie is gone. One
 * refresh at a time: the cookie rotates, and a second use of the old one would revoke it. */
export function refresh(): Promise<SignedIn | null> {
  refreshing ??= (async () => {
    try {
      const response = await sessionCall("/refresh", { method: "POST" });
      return set(response.ok ? ((await response.json()) as Answer) : null);
    } catch {
      return current;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function signOut(): Promise<void> {
  const token = current?.accessToken;
  if (token) {
    await sessionCall("", { method: "DELETE", headers: { Authorization: `Bearer ${token}` } })
      .catch(() => undefined);
  }
  set(null);
}
