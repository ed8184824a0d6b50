import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ReferenceApp } from "./ReferenceApp";
import "./reference.css";

const root = document.getElementById("reference");
if (!root) throw new Error("missing #reference element");

createRoot(root).render(
  <StrictMode>
    <ReferenceApp />
  </StrictMode>,
);
