import { api } from "../api/client";
import { allPages } from "./paging";

/**
 * Every certificate uploaded to the organization, every page of the list: for the views
 * that choose among them or find one by its fingerprint (an app's own, the free ones a
 * go-live can name), where the first page would leave some out.
 */
export function allCertificates(orgId: string) {
  return allPages(
    (cursor) => api.GET("/api/organizations/{orgId}/certificates", { params: { path: { orgId }, query: { cursor, limit: "100" } } }),
    (page) => page.certificates,
    (page, certificates) => ({ ...page, certificates }),
  );
}
