/** An answer of the API that is not a success: its HTTP status, and the `reason` code the
 * API gives (`ac_contracts.reasons`), which the app translates (`reasons.<code>`). */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, body: unknown) {
    const detail = (body as { detail?: unknown } | null)?.detail;
    let reason = status === 0 ? "network" : "unknown";
    let details: Record<string, unknown> = {};
    if (Array.isArray(detail)) {
      reason = "invalid_input";
      details = { fields: detail };
    } else if (detail && typeof detail === "object") {
      const d = detail as Record<string, unknown>;
      reason = typeof d.reason === "string" ? d.reason : reason;
      details = d;
    }
    super(`${status} ${reason}`);
    this.status = status;
    this.reason = reason;
    this.details = details;
  }
}

/** The data of an openapi-fetch answer, or its error thrown as an `ApiError`. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, result.error ?? null);
  }
  return result.data as T;
}
