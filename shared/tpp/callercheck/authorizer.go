// Package callercheck is the TPP API's caller check: from the client certificate a call
// presents to the app, organization and environment it speaks for, with one read of the
// portal's lookups. The Lambda authorizer runs it deployed; the local TPP listener runs
// the same code.
package callercheck

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/restapi"
)

// EnvironmentVariable names the environment (sandbox or production) a deployed TPP API
// serves; CDK sets it on the authorizer function.
const EnvironmentVariable = "TPP_ENVIRONMENT"

// CertificateOwners finds the app a certificate fingerprint is attached to, in one read.
type CertificateOwners interface {
	Certificate(ctx context.Context, fingerprint string) (lookup.CertificateOwner, error)
}

// Authorizer is the TPP API's REQUEST authorizer. API Gateway's mutual TLS has already
// checked that the client certificate chains to the truststore and is within its
// validity; the authorizer checks that it is the certificate of an app of this
// environment, and tells the integration which app, organization and environment.
type Authorizer struct {
	Owners CertificateOwners
	// Environment is the environment this TPP API serves: a sandbox app's certificate
	// opens no door of the production API, and the other way round.
	Environment lookup.Environment
	Log         *slog.Logger
}

// Refusal reasons, logged with each Deny (the caller only sees API Gateway's 403).
var (
	errNoCertificate  = errors.New("no client certificate in the request context")
	errBadCertificate = errors.New("the client certificate is not a PEM X.509 certificate")
	errUnknownCert    = errors.New("the certificate is attached to no app")
	errOtherEnv       = errors.New("the certificate's app belongs to another environment")
)

// Authorize answers one request: Allow with the app's identity as context, or Deny. A
// failed lookup is returned as an error rather than a Deny, so that an outage shows as
// API Gateway's 500 and in the function's error metric instead of as refused callers.
func (a *Authorizer) Authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	fingerprint, err := Fingerprint(req.RequestContext.Identity.ClientCert.ClientCertPem)
	if err != nil {
		return a.deny(req, "", err), nil
	}
	owner, err := a.Owners.Certificate(ctx, fingerprint)
	if errors.Is(err, apperr.ErrNotFound) {
		return a.deny(req, fingerprint, errUnknownCert), nil
	}
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("certificate lookup: %w", err)
	}
	if owner.Environment != a.Environment {
		return a.deny(req, fingerprint, fmt.Errorf("%w (%s, this API serves %s)", errOtherEnv, owner.Environment, a.Environment)), nil
	}
	a.logger().InfoContext(ctx, "authorized", "appId", owner.AppID, "orgId", owner.OrgID,
		"fingerprint", fingerprint, "methodArn", req.MethodArn, "requestId", req.RequestContext.RequestID)
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    owner.AppID,
		PolicyDocument: policy("Allow", req.MethodArn),
		Context: map[string]interface{}{
			restapi.ContextAppID:       owner.AppID,
			restapi.ContextOrgID:       owner.OrgID,
			restapi.ContextEnvironment: string(owner.Environment),
		},
	}, nil
}

// deny is the Deny answer for req, logged with its reason.
func (a *Authorizer) deny(req events.APIGatewayCustomAuthorizerRequestTypeRequest, fingerprint string, reason error) events.APIGatewayCustomAuthorizerResponse {
	a.logger().Warn("denied", "reason", reason.Error(), "fingerprint", fingerprint,
		"serialNumber", req.RequestContext.Identity.ClientCert.SerialNumber, "methodArn", req.MethodArn,
		"requestId", req.RequestContext.RequestID)
	return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "unknown", PolicyDocument: policy("Deny", req.MethodArn)}
}

func (a *Authorizer) logger() *slog.Logger {
	if a.Log == nil {
		return slog.Default()
	}
	return a.Log
}

// policy allows or denies invoking the one method of the request. The authorizer's
// results are not cached (every request is authorized), so the policy names no more
// than the method that asked.
func policy(effect, methodARN string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version: "2012-10-17",
		Statement: []events.IAMPolicyStatement{{
			Action:   []string{"execute-api:Invoke"},
			Effect:   effect,
			Resource: []string{methodARN},
		}},
	}
}

// Fingerprint is the lower-case hex SHA-256 of the DER certificate in certPEM, the form
// the portal stores attached certificates under.
func Fingerprint(certPEM string) (string, error) {
	if certPEM == "" {
		return "", errNoCertificate
	}
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return "", errBadCertificate
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return "", fmt.Errorf("%w: %v", errBadCertificate, err)
	}
	sum := sha256.Sum256(block.Bytes)
	return hex.EncodeToString(sum[:]), nil
}

// ParseEnvironment checks the value of EnvironmentVariable.
func ParseEnvironment(v string) (lookup.Environment, error) {
	switch env := lookup.Environment(v); env {
	case lookup.Sandbox, lookup.Production:
		return env, nil
	}
	return "", fmt.Errorf("%s=%q: must be %s or %s", EnvironmentVariable, v, lookup.Sandbox, lookup.Production)
}
