import { useMutation } from "@tanstack/react-query";

import { api } from "../../lib/api/client";
import { ApiError, unwrap } from "../../lib/api/errors";

type Query = { until?: string; subject?: string };

export function useChecks() {
  return useMutation({
    mutationFn: async (query: Query) => unwrap(await api().GET("/v1/audit/checks", { params: { query } })),
  });
}

/** The report as its own HTML page, downloaded (it is a document of its own, with its own CSP). */
export function useReportHtml() {
  return useMutation({
    mutationFn: async (query: Query) => {
      const r = await api().GET("/v1/audit/report", { params: { query }, parseAs: "text" });
      if (!r.response.ok) throw new ApiError(r.response.status, null);
      return r.data as unknown as string;
    },
  });
}

export function useRecord() {
  return useMutation({
    mutationFn: async ({ subject, asOf }: { subject: string; asOf?: string }) =>
      unwrap(await api().GET("/v1/audit/subjects/{subject_id}/record", {
        params: { path: { subject_id: subject }, query: asOf ? { as_of_time: asOf } : {} },
      })),
  });
}

/** The equal-opportunity monitoring report (issue 18): anonymised, computed from the log. */
export function useMonitoring() {
  return useMutation({
    mutationFn: async () => unwrap(await api().GET("/v1/audit/monitoring")),
  });
}
