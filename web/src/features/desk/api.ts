/** The desk (issue 16): a person's requests with step-up verification, the thread, the
 * disclosure once verified, a guest's complaint or enquiry, the published policy, and staff's
 * queue. Every call goes through the generated client. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { usePaged } from "../../lib/paging";
import { notYet } from "../../lib/queries";

export type DeskRequest = Schemas["RequestOut"];

export function useMyRequests() {
  return usePaged(["requests"], async (cursor) =>
    unwrap(await api().GET("/v1/me/requests", { params: { query: { cursor } } })));
}

export function useMyRequest(id: string) {
  return useQuery({
    queryKey: ["request", id],
    retry: notYet,
    retryDelay: 300,
    queryFn: async () =>
      unwrap(await api().GET("/v1/me/requests/{request_id}", { params: { path: { request_id: id } } })),
  });
}

export function useFileRequest() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["RequestBody"]) => unwrap(await api().POST("/v1/me/requests", { body })),
    onSuccess: (r) => {
      client.setQueryData(["request", r.request_id], r);
      void client.invalidateQueries({ queryKey: ["requests"] });
    },
  });
}

function useOnRequest(id: string) {
  const client = useQueryClient();
  return (r: DeskRequest) => {
    client.setQueryData(["request", id], r);
    void client.invalidateQueries({ queryKey: ["requests"] });
  };
}

/** Step-up: the password again and the six-digit code emailed for this request. */
export function useVerify(id: string) {
  const done = useOnRequest(id);
  return useMutation({
    mutationFn: async (body: Schemas["VerificationBody"]) =>
      unwrap(await api().POST("/v1/me/requests/{request_id}/verification", {
        params: { path: { request_id: id } }, body,
      })),
    onSuccess: done,
  });
}

export function useNewCode(id: string) {
  return useMutation({
    mutationFn: async () =>
      unwrap(await api().POST("/v1/me/requests/{request_id}/code", { params: { path: { request_id: id } } })),
  });
}

export function useWrite(id: string) {
  const done = useOnRequest(id);
  return useMutation({
    mutationFn: async (body: string) =>
      unwrap(await api().POST("/v1/me/requests/{request_id}/messages", {
        params: { path: { request_id: id } }, body: { body },
      })),
    onSuccess: done,
  });
}

/** The answer to a verified disclosure request: everything held about the person. */
export function useDisclosure(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ["request-disclosure", id],
    enabled,
    retry: notYet,
    retryDelay: 300,
    queryFn: async () =>
      unwrap(await api().GET("/v1/me/requests/{request_id}/disclosure", { params: { path: { request_id: id } } })),
  });
}

export function useGuestFiling() {
  return useMutation({
    mutationFn: async (body: Schemas["GuestBody"]) => unwrap(await api().POST("/v1/enquiries", { body })),
  });
}

export function usePolicy() {
  return useQuery({ queryKey: ["policy"], queryFn: async () => unwrap(await api().GET("/v1/policy")) });
}

export function usePolicyVersion(version: string | null) {
  return useQuery({
    queryKey: ["policy", version],
    enabled: Boolean(version),
    queryFn: async () =>
      unwrap(await api().GET("/v1/policy/versions/{policy_version}", {
        params: { path: { policy_version: version ?? "" } },
      })),
  });
}

export function usePolicyDiff(from: string | null, to: string | null) {
  return useQuery({
    queryKey: ["policy-diff", from, to],
    enabled: Boolean(from && to && from !== to),
    queryFn: async () =>
      unwrap(await api().GET("/v1/policy/diff", {
        params: { query: { from_version: from ?? "", to_version: to ?? "" } },
      })),
  });
}

// ------------------------------------------------------------------ staff

export function useQueue(filter: { kind?: string; overdue?: boolean }) {
  return usePaged(["queue", filter], async (cursor) =>
    unwrap(await api().GET("/v1/desk/queue", {
      params: { query: {
        cursor,
        kind: (filter.kind || undefined) as Schemas["RequestKind"] | undefined,
        overdue: filter.overdue || undefined,
      } },
    })), { refetchInterval: 10_000 });
}

export function useDeskRequest(id: string) {
  return useQuery({
    queryKey: ["desk-request", id],
    queryFn: async () =>
      unwrap(await api().GET("/v1/desk/requests/{request_id}", { params: { path: { request_id: id } } })),
  });
}

function useOnDeskRequest(id: string) {
  const client = useQueryClient();
  return (r: DeskRequest) => {
    client.setQueryData(["desk-request", id], r);
    void client.invalidateQueries({ queryKey: ["queue"] });
  };
}

export function useAssign(id: string) {
  const done = useOnDeskRequest(id);
  return useMutation({
    mutationFn: async () =>
      unwrap(await api().POST("/v1/desk/requests/{request_id}/assignment", {
        params: { path: { request_id: id } }, body: {},
      })),
    onSuccess: done,
  });
}

export function useAnswer(id: string) {
  const done = useOnDeskRequest(id);
  return useMutation({
    mutationFn: async (body: Schemas["ac_contracts__desk__AnswerBody"]) =>
      unwrap(await api().POST("/v1/desk/requests/{request_id}/answer", {
        params: { path: { request_id: id } }, body,
      })),
    onSuccess: done,
  });
}

export function useStaffReply(id: string) {
  const done = useOnDeskRequest(id);
  return useMutation({
    mutationFn: async (body: string) =>
      unwrap(await api().POST("/v1/desk/requests/{request_id}/messages", {
        params: { path: { request_id: id } }, body: { body },
      })),
    onSuccess: done,
  });
}

export function useCloseRequest(id: string) {
  const done = useOnDeskRequest(id);
  return useMutation({
    mutationFn: async () =>
      unwrap(await api().POST("/v1/desk/requests/{request_id}/close", { params: { path: { request_id: id } } })),
    onSuccess: done,
  });
}

export function useDeskReport() {
  return useQuery({ queryKey: ["desk-report"], queryFn: async () => unwrap(await api().GET("/v1/desk/report")) });
}

export {
  OUTCOMES, PROFILE_FIELDS, PURPOSES, REQUEST_KINDS, REQUEST_STATUSES,
} from "../../lib/vocabulary";
