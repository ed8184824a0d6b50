package portalapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/bank/devportal/shared/platform/httpapi"
)

// CheckResult is one dependency's state.
type CheckResult struct {
	Name      string `json:"name"`
	Status    string `json:"status" enum:"up,down"`
	LatencyMs int64  `json:"latencyMs"`
	Error     string `json:"error,omitempty"`
}

// HealthResponse is the body of GET /api/healthz.
type HealthResponse struct {
	Status string        `json:"status" enum:"ok,degraded"`
	Checks []CheckResult `json:"checks"`
}

// SupportInfo is how developers reach the bank's API support: configuration, the same
// for every visitor.
type SupportInfo struct {
	Email string `json:"email"`
	Hours string `json:"hours"`
}

// health pings every dependency in parallel, each within two seconds.
func (a *API) health(w http.ResponseWriter, r *http.Request) {
	results := make([]CheckResult, len(a.Checks))
	var wg sync.WaitGroup
	for i, c := range a.Checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			start := time.Now()
			err := c.Ping(ctx)
			res := CheckResult{Name: c.Name, Status: "up", LatencyMs: time.Since(start).Milliseconds()}
			if err != nil {
				// The cause can name accounts and roles: it goes to the log, not the page.
				httpapi.Logger(r.Context()).Error("health check failed", "check", c.Name, "error", err.Error())
				res.Status, res.Error = "down", "unavailable"
			}
			results[i] = res
		})
	}
	wg.Wait()
	resp := HealthResponse{Status: "ok", Checks: results}
	status := http.StatusOK
	for _, res := range results {
		if res.Status != "up" {
			resp.Status, status = "degraded", http.StatusServiceUnavailable
		}
	}
	httpapi.WriteJSON(w, status, resp)
}
