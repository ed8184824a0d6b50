/** Where the portal serves the TPP API's description (the same document the TPP API serves). */
export const TPP_API_DOCUMENT = "/api/tpp-api/openapi.json";

/** The reference document the portal frames (a Vite entry of its own: frontend/docs/reference.html). */
export const REFERENCE_FRAME = "/docs/reference.html";
