import { useSyncExternalStore } from "react";

import { session, subscribe, type SignedIn } from "./session";

/** The signed-in person (or null), re-rendering when it changes. */
export function useSession(): SignedIn | null {
  return useSyncExternalStore(subscribe, session, session);
}
