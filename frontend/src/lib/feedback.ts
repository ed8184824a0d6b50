import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from "react";

/** Everything on the page that shows the outcome of an earlier action. */
const listeners = new Map<number, () => void>();
let nextId = 1;

/**
 * Tells every message on the page that the user has started something new, so that no
 * earlier outcome (a success, or another form's error) stays beside the new one.
 * `source` is the form that started it: it manages its own message.
 */
export function actionStarted(source?: number) {
  for (const [id, clear] of [...listeners]) if (id !== source) clear();
}

/**
 * Registers `clear` to run when another part of the page starts an action; returns this
 * part's id, to pass to actionStarted when it starts one itself.
 */
export function useClearOnAction(clear: () => void): number {
  const [id] = useState(() => nextId++);
  const clearRef = useRef(clear);
  clearRef.current = clear;
  useEffect(() => {
    listeners.set(id, () => clearRef.current());
    return () => {
      listeners.delete(id);
    };
  }, [id]);
  return id;
}

/**
 * State for a success message that goes back to `empty` as soon as the user starts
 * another action anywhere on the page.
 */
export function useSuccessMessage<T>(empty: T, initial: T = empty): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(initial);
  useClearOnAction(() => setValue(empty));
  return [value, setValue];
}
