import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { ApiError, unwrap } from "../../lib/api/errors";
import { notYet } from "../../lib/queries";

export { currentPolicy, useOrganisation, usePolicies } from "../../lib/queries";

export function useConsentPage() {
  return useQuery({
    queryKey: ["consents"],
    queryFn: async () => unwrap(await api().GET("/v1/me/consents")),
  });
}

export function useGrant() {
  const client = useQueryClient();
  return useMutation({
    retry: notYet,
    retryDelay: 300,
    mutationFn: async (body: Schemas["GrantBody"]) =>
      unwrap(await api().POST("/v1/me/consents", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["consents"] }),
  });
}

export function useWithdraw() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (consentId: string) =>
      unwrap(await api().DELETE("/v1/me/consents/{consent_id}", {
        params: { path: { consent_id: consentId } },
      })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["consents"] }),
  });
}

export function useNotices(country: string) {
  return useQuery({
    queryKey: ["notices", country],
    enabled: /^[A-Z]{2}$/.test(country) && country !== "JP",
    queryFn: async () =>
      unwrap(await api().GET("/v1/country-notices", { params: { query: { country } } })),
  });
}

export function useObject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (transferId: string) =>
      unwrap(await api().POST("/v1/me/transfer-objections", { body: { transfer_id: transferId } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["consents"] }),
  });
}

export function useDisclosures() {
  return useQuery({
    queryKey: ["disclosures"],
    queryFn: async () => unwrap(await api().GET("/v1/me/disclosures")),
  });
}

export function useExport() {
  return useMutation({ mutationFn: async () => unwrap(await api().GET("/v1/me/export")) });
}

export function useErase() {
  return useMutation({
    mutationFn: async (password: string) => {
      const r = await api().DELETE("/v1/me", { body: { password } });
      if (!r.response.ok) throw new ApiError(r.response.status, r.error);
    },
  });
}

export { CATEGORIES, CONSENTABLE as PURPOSES, SENSITIVE, THIRD_PARTY } from "../../lib/vocabulary";
