package httpapi

import (
	"crypto/subtle"
	"net/http"

	"github.com/bank/devportal/shared/platform/apperr"
)

// OriginVerifyHeader carries the secret CloudFront adds to every request it passes to the
// portal's HTTP API (config.Config.OriginSecret). A viewer cannot set it: CloudFront
// replaces a viewer's header of an origin custom header's name.
const OriginVerifyHeader = "X-Origin-Verify"

// ErrDirectAccess refuses a request that reached the API without passing CloudFront.
var ErrDirectAccess = apperr.New(apperr.Forbidden, "DIRECT_ACCESS", "This API is reachable only through the portal's address.")

// RequireOrigin refuses with 403, before next runs, a request whose OriginVerifyHeader is
// not secret: one sent to the API's own endpoint rather than through CloudFront and its
// WAF. An empty secret turns the check off (the local stack, whose dev server is the only
// way in).
func RequireOrigin(secret string, next http.Handler) http.Handler {
	if secret == "" {
		return next
	}
	want := []byte(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(OriginVerifyHeader)), want) != 1 {
			WriteError(w, r, ErrDirectAccess)
			return
		}
		// The handler has no use for the secret, and must not echo or log it.
		r.Header.Del(OriginVerifyHeader)
		next.ServeHTTP(w, r)
	})
}
