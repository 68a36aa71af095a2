import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./lib/i18n";
import { App } from "./app/App";
import "./app/styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
