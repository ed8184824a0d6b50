package wiring

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// StartREST is the whole main of a portal route on the TPP API's origin
// (route.ClientCertificate): a method of the TPP REST API (payload 1.0), where API
// Gateway's mutual TLS hands over the client certificate. It is apart from StartHTTP so
// that the portal's other functions do not link the REST adapter.
func StartREST(routeName string, parts Parts) {
	rt, api, _ := routeAtInit(routeName, parts)
	lambda.Start(RESTHandler(api.Handler(rt)))
}

// RESTHandler serves h for API Gateway REST API proxy events with mutual TLS: the client
// certificate API Gateway verified in the handshake, from the request context, is in
// r.TLS, where httpapi.ClientCertificate finds it. The API's execute-api endpoint is
// disabled, so a request reaches the function only through the mutual-TLS domain.
func RESTHandler(h http.Handler) func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return httpadapter.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.TLS = nil
		if rc, ok := core.GetAPIGatewayContextFromContext(r.Context()); ok && rc.Identity.ClientCert != nil {
			if b, _ := pem.Decode([]byte(rc.Identity.ClientCert.ClientCertPem)); b != nil && b.Type == "CERTIFICATE" {
				if cert, err := x509.ParseCertificate(b.Bytes); err == nil {
					r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}}
				}
			}
		}
		h.ServeHTTP(w, r)
	})).ProxyWithContext
}
