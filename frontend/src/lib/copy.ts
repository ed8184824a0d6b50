import { useCallback, useState } from "react";

/**
 * Copying to the clipboard with a status line to announce: what was copied, or that the
 * browser refused and the user should select the text.
 */
export function useCopy() {
  const [copied, setCopied] = useState("");
  const copy = useCallback(async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied to the clipboard.`);
    } catch {
      setCopied(`Your browser did not allow copying: select the ${what.toLowerCase()} and copy it.`);
    }
  }, []);
  return { copied, copy };
}
