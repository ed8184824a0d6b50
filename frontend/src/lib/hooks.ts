import { useCallback, useEffect, useRef, useState } from "react";
import { api, call, fieldErrorsOf, type ApiResult, type FieldErrors } from "../api/client";
import type { ApiError, PasswordPolicy } from "../api/types";

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
  }, []);

  const reset = useCallback(() => {
    setError(null);
    setFields({});
  }, []);

  return { busy, error, fields, submit, reset };
}
