/** The one client of the gateway, typed from its OpenAPI (`schema.ts`, `make web-client`).
 * Features wrap it in their queries; components never call `fetch` themselves. */
import createClient, { type Middleware } from "openapi-fetch";

import { apiUrl } from "../config";
import { refresh, session } from "../auth/session";
import type { paths } from "./schema";

const retries = new WeakMap<Request, Request>();

const auth: Middleware = {
  onRequest({ request }) {
    const token = session()?.accessToken;
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    retries.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const retry = retries.get(request);
    if (response.status !== 401 || !retry || !request.headers.has("Authorization")) return response;
    // Only an access token the gateway no longer takes (`unauthenticated`) is renewed: another
    // 401 (a wrong password or step-up code) is the answer itself, and must not be sent twice.
    const body = (await response.clone().json().catch(() => null)) as { detail?: { reason?: string } } | null;
    if (body?.detail?.reason !== "unauthenticated") return response;
    // The access token expired: refresh it through the cookie once, and try again.
    const renewed = await refresh();
    if (!renewed) return response;
    retry.headers.set("Authorization", `Bearer ${renewed.accessToken}`);
    return fetch(retry);
  },
};

let client: ReturnType<typeof createClient<paths>> | null = null;

export function api(): ReturnType<typeof createClient<paths>> {
  if (client === null) {
    client = createClient<paths>({ baseUrl: apiUrl() });
    client.use(auth);
  }
  return client;
}

export type { paths };
export type Schemas = import("./schema").components["schemas"];
