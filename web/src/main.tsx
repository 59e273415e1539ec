import { createRoot } from "react-dom/client";

import { App } from "./app/App";
import { refresh } from "./lib/auth/session";
import { loadConfig } from "./lib/config";
import "./lib/i18n";
import "./styles.css";

/** Start: read where the gateway is, restore the session from its cookie (if any), render. */
async function start(): Promise<void> {
  await loadConfig();
  await refresh();
  const root = document.getElementById("root");
  if (root) createRoot(root).render(<App />);
}

void start();
