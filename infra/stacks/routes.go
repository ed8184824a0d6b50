package stacks

import "github.com/bank/devportal/shared/routes"

// DeployedRoutes are the portal routes the API stack will deploy as functions: all but the
// local-only ones (dev mail, job triggers), which exist only in the local stack.
func DeployedRoutes() []routes.Route {
	var out []routes.Route
	for _, r := range routes.Portal {
		if r.Auth != routes.LocalOnly {
			out = append(out, r)
		}
	}
	return out
}
