import { useEffect, useState } from "react";
import { api, call } from "../api/client";
import type { App, TPPAPIInfo } from "../api/types";

let infoPromise: Promise<TPPAPIInfo | null> | null = null;

/**
 * Where the TPP API is (GET /api/tpp-api), loaded once per page load: it is the bank's
 * configuration, the same for every app. Undefined while loading, null if it could not be.
 */
export function useTPPAPI(): TPPAPIInfo | null | undefined {
  const [info, setInfo] = useState<TPPAPIInfo | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    if (!infoPromise) {
      infoPromise = call(api.GET("/api/tpp-api")).then((r) => {
        if (r.ok) return r.data;
        infoPromise = null;
        return null;
      });
    }
    void infoPromise.then((i) => {
      if (live) setInfo(i);
    });
    return () => {
      live = false;
    };
  }, []);
  return info;
}

/** Test hook: forget the loaded TPP API description. */
export function resetTPPAPICache() {
  infoPromise = null;
}

/**
 * A lifetime in the largest unit that divides it: "1 hour", "90 days", "15 minutes"; up
 * to two minutes in seconds ("60 seconds"), as protocol lifetimes are usually stated.
 */
export function lifetime(seconds: number): string {
  const units: [string, number][] = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units) {
    if (seconds > 120 && seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** Placeholders the developer replaces in the commands: files and values the portal never holds. */
export const PLACEHOLDER = {
  cert: "client-cert.pem",
  key: "client-key.pem",
  apiKey: "YOUR_API_KEY",
  clientId: "YOUR_CLIENT_ID",
  redirectUri: "YOUR_REDIRECT_URI",
  consentId: "CONSENT_ID",
} as const;

/** One command of the getting-started panel. */
export interface StartCommand {
  id: string;
  title: string;
  command: string;
  /** What to do with it, in a sentence. */
  note: string;
}

/** Shell-quotes a value in single quotes. */
function q(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * The first calls an app makes, filled in with its client ID (a placeholder when the user
 * cannot see one) and its first redirect URI: the metadata, a client-credentials token
 * over mutual TLS, and an authorization with PKCE (pushed first when the app requires
 * FAPI 2.0, which refuses anything else).
 */
export function startCommands(info: TPPAPIInfo, app: Pick<App, "redirectUris" | "fapi">, clientId: string | undefined): StartCommand[] {
  const id = clientId || PLACEHOLDER.clientId;
  const redirect = app.redirectUris[0] ?? PLACEHOLDER.redirectUri;
  const mtls = `curl --cert ${PLACEHOLDER.cert} --key ${PLACEHOLDER.key} \\\n  -H ${q(`${info.apiKeyHeader}: ${PLACEHOLDER.apiKey}`)} \\\n`;
  const pkce =
    "CODE_VERIFIER=$(openssl rand -base64 48 | tr -d '=+/\\n' | cut -c1-64)\n" +
    "CODE_CHALLENGE=$(printf '%s' \"$CODE_VERIFIER\" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')\n" +
    "STATE=$(openssl rand -hex 16)\n";
  const params = new URLSearchParams({ response_type: "code", client_id: id, redirect_uri: redirect, scope: `AIS:${PLACEHOLDER.consentId}` });
  const commands: StartCommand[] = [
    {
      id: "start-metadata",
      title: "Read the authorization server's metadata",
      command: `curl ${info.metadataUrl}`,
      note: "It names every endpoint: the token, PAR and revocation endpoints under mtls_endpoint_aliases need your client certificate.",
    },
    {
      id: "start-client-credentials",
      title: "Get a token with client credentials",
      command: `${mtls}  -d grant_type=client_credentials \\\n  -d client_id=${id} \\\n  ${info.tokenEndpoint}`,
      note: "The certificate authenticates the app (tls_client_auth), and the token is bound to it: call the API with the same certificate. Add -d scope=… for a product that needs one, such as PAY_LATER.",
    },
  ];
  if (app.fapi) {
    commands.push({
      id: "start-authorization",
      title: "Push an authorization request with PKCE, then send the customer to the bank",
      command:
        pkce +
        `${mtls}  -d ${params.toString().split("&").join(" \\\n  -d ")} \\\n  -d "state=$STATE" -d "code_challenge=$CODE_CHALLENGE" -d code_challenge_method=S256 \\\n  ${info.parEndpoint}\n` +
        `# then open, with the request_uri it answered:\n` +
        `echo "${info.authorizationEndpoint}?client_id=${encodeURIComponent(id)}&request_uri=REQUEST_URI"`,
      note: "This app requires FAPI 2.0: the authorization endpoint accepts only the request_uri of a pushed request, valid for 60 seconds and once.",
    });
  } else {
    commands.push({
      id: "start-authorization",
      title: "Send the customer to the bank with PKCE",
      command: pkce + `echo "${info.authorizationEndpoint}?${params.toString()}&state=$STATE&code_challenge=$CODE_CHALLENGE&code_challenge_method=S256"`,
      note: "Open the printed address in a browser and sign in as a sandbox customer; the bank sends the code to your redirect URI. Keep CODE_VERIFIER for the token request.",
    });
  }
  return commands;
}
