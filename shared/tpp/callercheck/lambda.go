package callercheck

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/routes"
)

// Context keys the authorizer passes to the integration ($context.authorizer.<key>).
const (
	ContextAppID       = "appId"
	ContextOrgID       = "orgId"
	ContextEnvironment = "environment"
	ContextProduct     = "product"
	// ContextRedirectURIs are the app's registered redirect URIs, space-separated
	// (Caller.RedirectURIs).
	ContextRedirectURIs = "redirectUris"
	// A call of a route that takes a bearer token (route.Route.Bearer) carries what the
	// verified token grants: its client, customer and scopes (space-separated).
	ContextTokenClient  = "tokenClientId"
	ContextTokenSubject = "tokenSubject"
	ContextTokenScopes  = "tokenScopes"
	// ContextAhead carries the items the check read ahead for the integration's handler
	// (Caller.Ahead, prefetch.Items.Encode), so that it need not read them again.
	ContextAhead = "readAhead"
	// A refused call carries its refusal instead of an app, so that the integration answers
	// it with the status the specification gives: an authorizer's Deny can only be 403.
	ContextRefusalStatus     = "refusalStatus"
	ContextRefusalCode       = "refusalCode"
	ContextRefusalText       = "refusalText"
	ContextRefusalRetryAfter = "refusalRetryAfter"
)

// Authorize answers one API Gateway REQUEST authorizer event.
//   - A call the check accepts is allowed with the app as context and the app's usage key
//     for the product as usageIdentifierKey, so that the product's usage plan meters it.
//   - A refused call is allowed too, but with the refusal as context and the refusal usage
//     key (lookup.RefusalUsageKey): the integration's adapter answers it with the Berlin
//     Group error and status, as the local listener does, and runs no handler.
//   - A call of a route that takes a bearer token (route.Route.Bearer, found by method and
//     path in the route table) has the token it presents verified with a.Tokens: the
//     authorizer of those routes is built with the authorization server's verifier. One
//     without a token passes only when it names a consent (Call.TakesToken), for the
//     handler's consent rules to decide.
//   - A path outside every product is denied (API Gateway answers 403).
//   - A failed read is an error, so an outage shows as API Gateway's 500 and in the
//     function's error metric instead of as refused callers.
func (a *Authorizer) Authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	log := a.logger()
	product, ok := routes.ProductOf(req.Path)
	if !ok {
		log.WarnContext(ctx, "denied", "reason", "the path belongs to no product", "path", req.Path, "requestId", req.RequestContext.RequestID)
		return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "unknown", PolicyDocument: policy("Deny", req.MethodArn)}, nil
	}
	call := Call{APIKey: header(req, lookup.APIKeyHeader), Product: product}
	if rt, ok := route.Match(routes.TPP, req.HTTPMethod, req.Path); ok && rt.Bearer {
		call.TakesToken, call.Authorization, call.ConsentID = true, header(req, "Authorization"), header(req, ConsentIDHeader)
	}
	der, err := certificateDER(req.RequestContext.Identity.ClientCert.ClientCertPem)
	if err == nil {
		call.CertDER = der
	}
	caller := Caller{}
	if err == nil || errors.Is(err, ErrCertificateMissing) {
		caller, err = a.Check(ctx, call)
	}
	var refused *Refusal
	if errors.As(err, &refused) {
		log.WarnContext(ctx, "refused", "reason", refused.Error(), "fingerprint", caller.Fingerprint, "appId", caller.AppID,
			"serialNumber", req.RequestContext.Identity.ClientCert.SerialNumber, "methodArn", req.MethodArn,
			"requestId", req.RequestContext.RequestID)
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:        "refused",
			PolicyDocument:     policy("Allow", req.MethodArn),
			UsageIdentifierKey: lookup.RefusalUsageKey(a.Environment),
			Context: map[string]interface{}{
				ContextRefusalStatus:     refused.Status,
				ContextRefusalCode:       refused.Code,
				ContextRefusalText:       refused.Text,
				ContextRefusalRetryAfter: int(refused.RetryAfter.Seconds()),
			},
		}, nil
	}
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	log.InfoContext(ctx, "authorized", "appId", caller.AppID, "orgId", caller.OrgID, "product", caller.Product,
		"fingerprint", caller.Fingerprint, "methodArn", req.MethodArn, "requestId", req.RequestContext.RequestID)
	values := map[string]interface{}{
		ContextAppID:       caller.AppID,
		ContextOrgID:       caller.OrgID,
		ContextEnvironment: string(caller.Environment),
		ContextProduct:     caller.Product,
	}
	if len(caller.RedirectURIs) > 0 {
		values[ContextRedirectURIs] = strings.Join(caller.RedirectURIs, " ")
	}
	if t := caller.Token; t != nil {
		values[ContextTokenClient], values[ContextTokenSubject], values[ContextTokenScopes] = t.ClientID, t.Subject, strings.Join(t.Scopes, " ")
	}
	if caller.Ahead.Len() > 0 {
		ahead, err := caller.Ahead.Encode()
		if err != nil {
			return events.APIGatewayCustomAuthorizerResponse{}, err
		}
		values[ContextAhead] = ahead
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:        caller.AppID,
		PolicyDocument:     policy("Allow", req.MethodArn),
		UsageIdentifierKey: caller.UsageKey,
		Context:            values,
	}, nil
}

// AheadFromContext is what the authorizer read ahead for the handler, nil for nothing.
func AheadFromContext(values map[string]interface{}) (*prefetch.Items, error) {
	s := contextString(values[ContextAhead])
	if s == "" {
		return nil, nil
	}
	return prefetch.Decode(s)
}

// TokenFromContext is the bearer token an authorizer's context carries, nil for none.
func TokenFromContext(values map[string]interface{}) *Token {
	scopes := contextString(values[ContextTokenScopes])
	client := contextString(values[ContextTokenClient])
	if client == "" {
		return nil
	}
	return &Token{ClientID: client, Subject: contextString(values[ContextTokenSubject]), Scopes: strings.Fields(scopes)}
}

// RefusalFromContext is the refusal an authorizer's context carries, if any. API Gateway
// passes context values to the integration as strings.
func RefusalFromContext(values map[string]interface{}) (*Refusal, bool) {
	code, _ := values[ContextRefusalCode].(string)
	if code == "" {
		return nil, false
	}
	text, _ := values[ContextRefusalText].(string)
	status, err := strconv.Atoi(contextString(values[ContextRefusalStatus]))
	if err != nil || status < 400 || status > 599 {
		status = 401
	}
	retry, _ := strconv.Atoi(contextString(values[ContextRefusalRetryAfter]))
	return &Refusal{Status: status, Code: code, Text: text, RetryAfter: secondsDuration(retry), reason: "refused by the authorizer"}, true
}

func contextString(v interface{}) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	return ""
}

// header is the request header name, matched without regard to case as HTTP does.
func header(req events.APIGatewayCustomAuthorizerRequestTypeRequest, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
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
