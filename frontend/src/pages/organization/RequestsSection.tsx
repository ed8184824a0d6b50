import { useEffect } from "react";
import { api } from "../../api/client";
import { RequestList } from "../../components/RequestList";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";

export function RequestsSection({ orgId, tick }: { orgId: string; tick: number }) {
  const paged = usePaged(
    (cursor) => api.GET("/api/organizations/{orgId}/requests", { params: { path: { orgId }, query: { cursor } } }),
    (page) => page.requests,
    [orgId],
  );
  const requests = paged.first;
  const { reload } = requests;
  useEffect(() => {
    if (tick > 0) void reload();
  }, [tick, reload]);

  return (
    <section id="requests" aria-labelledby="requests-heading" className="section">
      <h2 id="requests-heading">Requests</h2>
      <p>Changes that need the bank's approval (onboarding, rename, offboarding, premium API subscriptions, production access), with their decisions.</p>
      {requests.error && !requests.data && (
        <div id="requests-error" className="alert alert--error" role="alert">
          <p className="alert-message">{requests.error.message}</p>
        </div>
      )}
      {!requests.data && !requests.error && (
        <p className="loading" role="status">
          Loading the requests…
        </p>
      )}
      {requests.data && <RequestList id="requests-list" requests={paged.items} />}
      <ShowMore id="requests" list={paged} one="request" many="requests" />
    </section>
  );
}
