/** Where the gateway is: read at start from `/config.json`, served beside the app (one build
 * serves every environment; no inline script is needed to pass it). */
export type Config = { apiUrl: string; erasureGraceSeconds: number };

let config: Config | null = null;

export async function loadConfig(): Promise<Config> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const body = (await response.json()) as Partial<Config>;
  if (typeof body.apiUrl !== "string") throw new Error("config.json: no apiUrl");
  config = {
    apiUrl: body.apiUrl.replace(/\/$/, ""),
    erasureGraceSeconds: typeof body.erasureGraceSeconds === "number" ? body.erasureGraceSeconds : 60,
  };
  return config;
}

export function apiUrl(): string {
  if (config === null) throw new Error("the configuration is not loaded yet");
  return config.apiUrl;
}

/** Identity's grace between an erasure request and the key's destruction (shown to the person). */
export function erasureGraceSeconds(): number {
  return config?.erasureGraceSeconds ?? 60;
}
