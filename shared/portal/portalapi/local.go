package portalapi

import (
	"net/http"

	"github.com/bank/devportal/shared/platform/apperr"
)

// localEndpoints are the endpoints of the local stack's own routes: the dev mailbox and jobs
// run on demand.
func localEndpoints() []endpoint {
	return []endpoint{
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
			res, err := job(r.Context())
			return JobResponse{Job: name, Result: res}, err
		}, 404),
	}
}

// JobResponse reports a job run on demand.
type JobResponse struct {
	Job    string `json:"job"`
	Result any    `json:"result"`
}
