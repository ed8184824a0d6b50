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

// Refusal is a call the caller check refuses, with the Berlin Group code and status the
// specification gives it. The TPP listener answers it as a tppMessages error; the
// authorizer denies (API Gateway answers 403) and logs it.
type Refusal struct {
	Status int
	Code   string
	Text   string
	// reason is what the log says, which may name more than the caller is told.
	reason string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.reason }

// The caller check's refusals.
var (
	ErrCertificateMissing = &Refusal{Status: 401, Code: "CERTIFICATE_MISSING",
		Text: "Present your certificate as the TLS client certificate.", reason: "no client certificate"}
	ErrCertificateInvalid = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID",
		Text: "The client certificate is not a valid X.509 certificate.", reason: "the client certificate does not parse"}
	ErrCertificateUnknown = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID", Text: notRegistered,
		reason: "the certificate is attached to no app"}
	// ErrOtherEnvironment tells the caller no more than ErrCertificateUnknown does: which
	// environment holds the certificate is the log's to say.
	ErrOtherEnvironment = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID", Text: notRegistered,
		reason: "the certificate's app belongs to another environment"}
)

// Context keys the authorizer passes to the integration ($context.authorizer.<key>).
const (
	ContextAppID       = "appId"
	ContextOrgID       = "orgId"
	ContextEnvironment = "environment"
)

type callerKey struct{}

// WithCaller is ctx carrying the caller the check found (the local TPP listener's way of
// passing what API Gateway passes as the authorizer's context).
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// From is the caller WithCaller put in ctx.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

const notRegistered = "The client certificate is not registered for an app of this environment: attach it to your app in the developer portal."

// Caller is the app a call speaks for.
type Caller struct {
	AppID       string
	OrgID       string
	Environment lookup.Environment
	// Fingerprint is the client certificate's SHA-256 (lower-case hex of the DER).
	Fingerprint string
}

// Check names the app a client certificate (DER) speaks for in this API's environment, or
// refuses the call with a *Refusal. Any other error is a failed lookup, which must not
// read as a refusal: it is an outage. The local TPP listener and the Lambda authorizer
// both run it, so local and deployed behaviour cannot drift.
func (a *Authorizer) Check(ctx context.Context, certDER []byte) (Caller, error) {
	if len(certDER) == 0 {
		return Caller{}, ErrCertificateMissing
	}
	fingerprint, err := fingerprintOf(certDER)
	if err != nil {
		return Caller{}, err
	}
	owner, err := a.Owners.Certificate(ctx, fingerprint)
	if errors.Is(err, apperr.ErrNotFound) {
		return Caller{Fingerprint: fingerprint}, ErrCertificateUnknown
	}
	if err != nil {
		return Caller{}, fmt.Errorf("certificate lookup: %w", err)
	}
	if owner.Environment != a.Environment {
		return Caller{Fingerprint: fingerprint}, ErrOtherEnvironment
	}
	return Caller{AppID: owner.AppID, OrgID: owner.OrgID, Environment: owner.Environment, Fingerprint: fingerprint}, nil
}

// Authorize answers one request: Allow with the app's identity as context, or Deny. A
// failed lookup is returned as an error rather than a Deny, so that an outage shows as
// API Gateway's 500 and in the function's error metric instead of as refused callers.
func (a *Authorizer) Authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	der, err := certificateDER(req.RequestContext.Identity.ClientCert.ClientCertPem)
	if err != nil {
		return a.deny(req, "", err), nil
	}
	caller, err := a.Check(ctx, der)
	var refused *Refusal
	if errors.As(err, &refused) {
		return a.deny(req, caller.Fingerprint, refused), nil
	}
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	owner := caller
	a.logger().InfoContext(ctx, "authorized", "appId", owner.AppID, "orgId", owner.OrgID,
		"fingerprint", owner.Fingerprint, "methodArn", req.MethodArn, "requestId", req.RequestContext.RequestID)
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    owner.AppID,
		PolicyDocument: policy("Allow", req.MethodArn),
		Context: map[string]interface{}{
			ContextAppID:       owner.AppID,
			ContextOrgID:       owner.OrgID,
			ContextEnvironment: string(owner.Environment),
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

// certificateDER is the DER of the PEM certificate API Gateway's mutual TLS passes on.
func certificateDER(certPEM string) ([]byte, error) {
	if certPEM == "" {
		return nil, ErrCertificateMissing
	}
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, ErrCertificateInvalid
	}
	return block.Bytes, nil
}

// Fingerprint is the lower-case hex SHA-256 of the DER certificate in certPEM, the form
// the portal stores attached certificates under.
func Fingerprint(certPEM string) (string, error) {
	der, err := certificateDER(certPEM)
	if err != nil {
		return "", err
	}
	return fingerprintOf(der)
}

// fingerprintOf is the fingerprint of a DER certificate, or ErrCertificateInvalid.
func fingerprintOf(der []byte) (string, error) {
	if _, err := x509.ParseCertificate(der); err != nil {
		return "", ErrCertificateInvalid
	}
	sum := sha256.Sum256(der)
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
