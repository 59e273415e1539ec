import { useQuery } from "@tanstack/react-query";

import { api } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";

export function useApplications() {
  return useQuery({
    queryKey: ["applications"],
    queryFn: async () => unwrap(await api().GET("/v1/me/applications")),
  });
}
