import { useCallback, useEffect, useRef, useState } from "react";
import { api, call, fieldErrorsOf, type ApiResult, type FieldErrors } from "../api/client";
import type { ApiError, PasswordPolicy } from "../api/types";
import { useOptionalAuth } from "../auth/AuthContext";
import { actionStarted, useClearOnAction } from "./feedback";

const PRODUCT = "Open Banking Developer Portal";

export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · ${PRODUCT}` : PRODUCT;
  }, [title]);
}

let policyPromise: Promise<PasswordPolicy | null> | null = null;

/** Loads the password policy once per page load. Returns null until loaded (or if it fails). */
export function usePasswordPolicy(): PasswordPolicy | null {
  const [policy, setPolicy] = useState<PasswordPolicy | null>(null);
  useEffect(() => {
    let live = true;
    if (!policyPromise) {
      policyPromise = call(api.GET("/api/auth/password-policy")).then((r) => {
        if (r.ok) return r.data;
        policyPromise = null;
        return null;
      });
    }
    void policyPromise.then((p) => {
      if (live) setPolicy(p);
    });
    return () => {
      live = false;
    };
  }, []);
  return policy;
}

/** Test hook: forget the cached policy. */
export function resetPasswordPolicyCache() {
  policyPromise = null;
}

/**
 * State for a form that submits to the API: in-flight flag, the form-level error and
 * per-field errors. After a failed submit, focus moves to the first invalid field,
 * or to the form-level alert when no shown field is invalid.
 */
export function useApiForm(form: string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const [focusTick, setFocusTick] = useState(0);
  const busyRef = useRef(false);
  // Another form's action makes this form's error stale: it goes.
  const id = useClearOnAction(() => {
    setError(null);
    setFields({});
  });

  useEffect(() => {
    if (focusTick === 0) return;
    const formEl = document.getElementById(`${form}-form`);
    const invalid = formEl?.querySelector<HTMLElement>('[aria-invalid="true"]');
    const target = invalid ?? document.getElementById(`${form}-error`);
    target?.focus();
  }, [focusTick, form]);

  const submit = useCallback(async <T,>(send: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<ApiResult<T> | null> => {
    if (busyRef.current) return null;
    busyRef.current = true;
    actionStarted(id);
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const result = await call<T>(send());
      if (!result.ok) {
        setError(result.error);
        setFields(fieldErrorsOf(result.error));
        setFocusTick((n) => n + 1);
      }
      return result;
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  }, [id]);

  const reset = useCallback(() => {
    setError(null);
    setFields({});
  }, []);

  return { busy, error, fields, submit, reset };
}

export interface Loaded<T> {
  /** The last successful answer; kept while reloading. */
  data: T | null;
  error: ApiError | null;
  /** HTTP status of the last answer (0 before any, or on a network error). */
  status: number;
  loading: boolean;
  reload: () => Promise<void>;
  /** Replace the data locally (e.g. with a mutation's answer). */
  setData: (data: T) => void;
}

/**
 * Loads a GET once `deps` change (and on reload). Answers to superseded calls are
 * ignored. A 401 forgets the session so the page sends the user to sign in.
 * With `enabled` false nothing is loaded.
 */
export function useLoad<T>(
  load: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  deps: readonly unknown[],
  enabled = true,
): Loaded<T> {
  const auth = useOptionalAuth();
  const signedOut = auth?.signedOut;
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState(0);
  const [loading, setLoading] = useState(enabled);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    const r = await call<T>(loadRef.current());
    if (mine !== seq.current) return;
    setStatus(r.status);
    if (r.ok) {
      setData(r.data);
      setError(null);
    } else {
      setError(r.error);
      if (r.status === 401) signedOut?.();
    }
    setLoading(false);
  }, [signedOut]);

  const key = JSON.stringify(deps);
  useEffect(() => {
    if (!enabled) {
      seq.current++;
      setLoading(false);
      return;
    }
    setData(null);
    setError(null);
    void reload();
    return () => {
      seq.current++;
    };
  }, [key, enabled, reload]);

  return { data, error, status, loading, reload, setData };
}

/** `value`, once it has stopped changing for `ms` milliseconds. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** The current time, refreshed every `ms` milliseconds (for "3 hours ago" texts). */
export function useNow(ms = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}
