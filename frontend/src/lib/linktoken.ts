/**
 * The token of an emailed link. Links carry it in the fragment (`#token=…`), which the
 * browser never sends to a server, so no access or CDN log holds it. Links mailed before
 * carried it in the query string; they still work.
 */
export function linkToken(location: { hash: string; search: string }): string {
  const fromFragment = new URLSearchParams(location.hash.replace(/^#/, "")).get("token");
  if (fromFragment) return fromFragment;
  return new URLSearchParams(location.search).get("token") ?? "";
}

const INVITATION_KEY = "pendingInvitationToken";

/**
 * The invitation being accepted: the link's token, kept for this tab so that signing in
 * or up on the way can come back to `/invitations/accept` without the token in any URL.
 */
export function invitationToken(location: { hash: string; search: string }): string {
  const fromLink = linkToken(location);
  try {
    if (fromLink) {
      window.sessionStorage.setItem(INVITATION_KEY, fromLink);
      return fromLink;
    }
    return window.sessionStorage.getItem(INVITATION_KEY) ?? "";
  } catch {
    return fromLink; // storage refused (private mode): the link's own token only
  }
}

/** Forgets the kept invitation once it is accepted. */
export function forgetInvitationToken(): void {
  try {
    window.sessionStorage.removeItem(INVITATION_KEY);
  } catch {
    // nothing kept
  }
}
