import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { notYet } from "../../lib/queries";

export { usePolicies } from "../../lib/queries";

export function usePublishPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["PolicyBody"]) => unwrap(await api().POST("/v1/policies", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["policies"] }),
  });
}

export function usePublishNotice() {
  return useMutation({
    mutationFn: async (body: Schemas["NoticeBody"]) => unwrap(await api().POST("/v1/country-notices", { body })),
  });
}

export function useAnnounceTransfer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["TransferBody"]) => unwrap(await api().POST("/v1/transfers", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["policies"] }),
  });
}

export function useRegisterOrganisation() {
  return useMutation({
    mutationFn: async (body: Schemas["OrganisationBody"]) => unwrap(await api().POST("/v1/organisations", { body })),
  });
}

export function useCreateAccount() {
  return useMutation({
    mutationFn: async (body: Schemas["StaffMadeAccount"]) => unwrap(await api().POST("/v1/accounts", { body })),
  });
}

export function useLegalDisclosure() {
  return useMutation({
    retry: notYet,
    retryDelay: 300,
    mutationFn: async (body: Schemas["LegalDisclosureBody"]) =>
      unwrap(await api().POST("/v1/legal-disclosures", { body })),
  });
}

export { LEGAL_BASES, PURPOSES, SENDABLE as CATEGORIES } from "../../lib/vocabulary";
