package portalapi

import (
	"net/http"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/routes"
)

// localEndpoints are the endpoints of the local stack's own routes: the dev mailbox and jobs
// run on demand.
func localEndpoints() []endpoint {
	return []endpoint{
		// The portal asks this on every page load to show the mailbox in its navigation; the
		// mailbox itself reads all of moto's state, far too much for every page load.
		noBody("dev-tools", 200, func(a *API, r *http.Request) (DevToolsResponse, error) {
			return DevToolsResponse{Mailbox: a.Mailbox != nil}, nil
		}),
		noBody("dev-mail", 200, func(a *API, r *http.Request) (MailboxResponse, error) {
			msgs, err := a.Mailbox.Messages(r.Context())
			return MailboxResponse{Messages: msgs}, err
		}, 404),
		noBody("dev-run-job", 200, func(a *API, r *http.Request) (JobResponse, error) {
			name := r.PathValue("job")
			job, found := a.Jobs[name]
			if !found {
				return JobResponse{}, apperr.New(apperr.NotFound, "NO_SUCH_JOB", "There is no job named "+name+".")
			}
			// The job runs as its own function would: held to its needs and key families,
			// not to the union this local route declares to build every job.
			ctx := r.Context()
			for _, j := range routes.Jobs {
				if j.Name == name {
					ctx = route.WithScope(route.WithNeeds(ctx, j.Needs), j.Scope())
				}
			}
			res, err := job(ctx)
			return JobResponse{Job: name, Result: res}, err
		}, 404),
	}
}

// DevToolsResponse says which of the local stack's tools this server offers.
type DevToolsResponse struct {
	// Mailbox is true when GET /api/dev/mail lists the emails sent.
	Mailbox bool `json:"mailbox"`
}

// JobResponse reports a job run on demand.
type JobResponse struct {
	Job    string `json:"job"`
	Result any    `json:"result"`
}
