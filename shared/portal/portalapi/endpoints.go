package portalapi

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
)

// endpoint is a route's handler and the shapes the API description documents. Each
// domain's file lists its endpoints (accountEndpoints, appEndpoints, ...) by route name;
// adding a route takes its line in the route table and one endpoint here.
type endpoint struct {
	// name is the route's name in the route table.
	name   string
	handle func(a *API, w http.ResponseWriter, r *http.Request)
	// request is a zero value of the JSON body type, nil for none.
	request any
	// query lists the query parameters the handler reads.
	query []queryParam
	// responses maps each success status to a zero value of its body (nil: no body).
	responses map[int]any
	// errors lists the error statuses the route can answer besides 400/401/403/500.
	errors []int
}

// queryParam is a query parameter a handler reads, as the API description documents it.
type queryParam struct {
	name        string
	description string
	required    bool
	// enum lists the values allowed, if the handler allows only some.
	enum []string
	// example is the value of the route's sample request (events/<name>.json), if any.
	example string
}

// withQuery documents the query parameters the endpoint's handler reads.
func (e endpoint) withQuery(params ...queryParam) endpoint {
	e.query = append(e.query, params...)
	return e
}

// endpoints maps every route name to its endpoint, from each domain's list.
func (a *API) endpoints() map[string]endpoint {
	out := map[string]endpoint{}
	for _, list := range [][]endpoint{accountEndpoints(), organizationEndpoints(), appEndpoints(), operationsEndpoints(), localEndpoints(), registrationEndpoints(), dcrEndpoints()} {
		for _, ep := range list {
			if _, dup := out[ep.name]; dup {
				panic(fmt.Sprintf("portalapi: two endpoints for route %q", ep.name))
			}
			out[ep.name] = ep
		}
	}
	return out
}

// ok writes a success body, or the error.
func ok(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, status, v)
}

// withBody is an endpoint that decodes a Req, calls do and answers status with its Resp.
func withBody[Req, Resp any](name string, status int, do func(a *API, r *http.Request, req Req) (Resp, error), errors ...int) endpoint {
	var req Req
	var resp Resp
	return endpoint{name: name, request: req, responses: map[int]any{status: resp}, errors: errors,
		handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			var in Req
			if err := httpapi.DecodeJSON(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			out, err := do(a, r, in)
			ok(w, r, status, out, err)
		}}
}

// reviewable is withBody for a change that may wait for the bank's review instead of being
// made: it answers status when made and 202 Accepted, with the same body, when it waits.
func reviewable[Req, Resp any](name string, status int, do func(a *API, r *http.Request, req Req) (Resp, apps.Reviewed, error), errors ...int) endpoint {
	var resp Resp
	ep := withBody(name, status, func(a *API, r *http.Request, req Req) (Resp, error) { panic("replaced below") }, errors...)
	ep.responses[http.StatusAccepted] = resp
	ep.handle = func(a *API, w http.ResponseWriter, r *http.Request) {
		var in Req
		if err := httpapi.DecodeJSON(r, &in); err != nil {
			httpapi.WriteError(w, r, err)
			return
		}
		out, waits, err := do(a, r, in)
		if waits {
			ok(w, r, http.StatusAccepted, out, err)
			return
		}
		ok(w, r, status, out, err)
	}
	return ep
}

// noContent is an endpoint without a request body that answers 204.
func noContent(name string, do func(a *API, r *http.Request) error) endpoint {
	return endpoint{name: name, responses: map[int]any{204: nil}, errors: []int{404, 409},
		handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			if err := do(a, r); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}}
}

// noBody is an endpoint without a request body that answers status with a Resp.
func noBody[Resp any](name string, status int, do func(a *API, r *http.Request) (Resp, error), errors ...int) endpoint {
	var resp Resp
	return endpoint{name: name, responses: map[int]any{status: resp}, errors: errors,
		handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			out, err := do(a, r)
			ok(w, r, status, out, err)
		}}
}

// actorOf is the signed-in user of a session route, as the session item keeps them since
// sign-in: no route reads the profile to know who acts.
func actorOf(r *http.Request) org.Actor {
	s := sessionFrom(r.Context())
	fresh, _ := r.Context().Value(freshKey{}).(bool)
	return org.Actor{UserID: s.UserID, Email: s.Email, FullName: s.FullName, Fresh: fresh}
}

// session is the signed-in user's session.
func session(r *http.Request) account.Session { return sessionFrom(r.Context()) }

// Sample is a route's sample request, from its endpoint's examples: what the generated
// events/<name>.json sends.
type Sample struct {
	// Body is the JSON body (SampleBody), nil for a route without one.
	Body []byte
	// Query are the query parameters with an example, in the order the endpoint lists them.
	Query [][2]string
}

// SampleRequest is the sample request of the named route.
func SampleRequest(routeName string) (Sample, error) {
	ep, found := (&API{}).endpoints()[routeName]
	if !found {
		return Sample{}, fmt.Errorf("portalapi: no endpoint for route %q", routeName)
	}
	var s Sample
	if ep.request != nil {
		body, err := SampleBody(reflect.TypeOf(ep.request))
		if err != nil {
			return Sample{}, err
		}
		s.Body = body
	}
	for _, q := range ep.query {
		if q.example != "" {
			s.Query = append(s.Query, [2]string{q.name, q.example})
		}
	}
	return s, nil
}
