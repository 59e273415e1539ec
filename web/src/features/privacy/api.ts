import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { usePaged } from "../../lib/paging";
import { notYet } from "../../lib/queries";
import { asCountry } from "../../lib/vocabulary";

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
      unwrap(await api().GET("/v1/country-notices", { params: { query: { country: asCountry(country) } } })),
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
  return usePaged(["disclosures"], async (cursor) =>
    unwrap(await api().GET("/v1/me/disclosures", { params: { query: { cursor } } })));
}

export { CATEGORIES, CONSENTABLE as PURPOSES, SENSITIVE, THIRD_PARTY } from "../../lib/vocabulary";
