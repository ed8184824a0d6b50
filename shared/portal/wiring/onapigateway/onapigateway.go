// Package onapigateway is the portal's UsagePlans part: the TPP API's usage plans on API
// Gateway. Each app's subscription to a product has an API key there, valued
// lookup.UsageKey, in the usage plan of the product's plan; the TPP API's authorizer
// names it for each call, and API Gateway meters the call against the plan.
package onapigateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/wiring"
)

// UsagePlans is the part: the usage plans cfg names (USAGE_PLAN_IDS). Without any there
// is nothing to keep in step. moto keeps API keys and usage plans but does not count
// usage (GetUsage is not implemented), so the local stack gets no meter from here.
func UsagePlans(awsCfg aws.Config, cfg config.Config) wiring.UsagePlans {
	if len(cfg.UsagePlanIDs) == 0 {
		return wiring.UsagePlans{}
	}
	g := New(apigateway.NewFromConfig(awsCfg), cfg.UsagePlanIDs)
	u := wiring.UsagePlans{Keys: g}
	if !cfg.Local {
		u.Meter = g
	}
	return u
}

// Client is what the gateway calls of API Gateway.
type Client interface {
	CreateApiKey(ctx context.Context, in *apigateway.CreateApiKeyInput, opts ...func(*apigateway.Options)) (*apigateway.CreateApiKeyOutput, error)
	GetApiKeys(ctx context.Context, in *apigateway.GetApiKeysInput, opts ...func(*apigateway.Options)) (*apigateway.GetApiKeysOutput, error)
	DeleteApiKey(ctx context.Context, in *apigateway.DeleteApiKeyInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteApiKeyOutput, error)
	CreateUsagePlanKey(ctx context.Context, in *apigateway.CreateUsagePlanKeyInput, opts ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanKeyOutput, error)
	DeleteUsagePlanKey(ctx context.Context, in *apigateway.DeleteUsagePlanKeyInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanKeyOutput, error)
	GetUsage(ctx context.Context, in *apigateway.GetUsageInput, opts ...func(*apigateway.Options)) (*apigateway.GetUsageOutput, error)
}

// Gateway keeps usage keys in usage plans and reads their use.
type Gateway struct {
	client Client
	// plans are the usage plans' IDs by apps.UsagePlanKey.
	plans map[string]string
	// Now is the clock (the day usage is read for); tests set it.
	Now func() time.Time
}

var (
	_ apps.UsageKeys  = (*Gateway)(nil)
	_ apps.UsageMeter = (*Gateway)(nil)
)

// New returns a gateway over the usage plans plans (apps.UsagePlanKey to ID).
func New(client Client, plans map[string]string) *Gateway {
	return &Gateway{client: client, plans: plans, Now: func() time.Time { return time.Now().UTC() }}
}

// keyID finds the API key named value (the name is the value, which API Gateway keeps
// unique); "" when there is none. The name filter is a prefix match, so the name is
// compared again.
func (g *Gateway) keyID(ctx context.Context, value string) (string, error) {
	out, err := g.client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{NameQuery: aws.String(value), Limit: aws.Int32(500)})
	if err != nil {
		return "", fmt.Errorf("find API key %s: %w", value, err)
	}
	for _, k := range out.Items {
		if aws.ToString(k.Name) == value {
			return aws.ToString(k.Id), nil
		}
	}
	return "", nil
}

// Add creates the API key named and valued k.Value() unless it exists, and puts it in its
// plan's usage plan unless it is there. A plan without a usage plan here is the other
// environment's (a deployment's TPP API serves one environment, and has the usage plans
// of that environment's plans only): no TPP API here meters it, so there is nothing to do.
func (g *Gateway) Add(ctx context.Context, k apps.UsageKey) error {
	planID, ok := g.plans[k.Plan()]
	if !ok {
		return nil
	}
	var conflict *types.ConflictException
	created, err := g.client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{
		Name: aws.String(k.Value()), Value: aws.String(k.Value()), Enabled: true,
		Description: aws.String(fmt.Sprintf("Meters app %s of organization %s calling %s", k.AppID, k.OrgID, k.ProductID)),
	})
	var id string
	switch {
	case err == nil:
		id = aws.ToString(created.Id)
	case errors.As(err, &conflict):
		if id, err = g.keyID(ctx, k.Value()); err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("API key %s: API Gateway says it exists but lists none of that name", k.Value())
		}
	default:
		return fmt.Errorf("create API key %s: %w", k.Value(), err)
	}
	_, err = g.client.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String(planID), KeyId: aws.String(id), KeyType: aws.String("API_KEY")})
	if err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("add API key %s to usage plan %s: %w", k.Value(), planID, err)
	}
	return nil
}

// Remove takes the key out of its plan's usage plan and deletes it; a key or membership
// that is not there is no error. (Deleting the key alone would do on AWS; moto keeps the
// membership of a deleted key, and being explicit costs one call.)
func (g *Gateway) Remove(ctx context.Context, k apps.UsageKey) error {
	id, err := g.keyID(ctx, k.Value())
	if err != nil || id == "" {
		return err
	}
	var missing *types.NotFoundException
	if planID, ok := g.plans[k.Plan()]; ok {
		if _, err := g.client.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: aws.String(planID), KeyId: aws.String(id)}); err != nil && !errors.As(err, &missing) {
			return fmt.Errorf("remove API key %s from usage plan %s: %w", k.Value(), planID, err)
		}
	}
	if _, err := g.client.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: aws.String(id)}); err != nil && !errors.As(err, &missing) {
		return fmt.Errorf("delete API key %s: %w", k.Value(), err)
	}
	return nil
}

// CallsToday are the calls the usage plan of the product counted today (UTC, the day the
// plans' daily quotas count) for the app's key of the product: the plan of the
// environment this deployment's TPP API serves. A key without usage today has made no
// calls; an app without a key is not metered here (an error).
func (g *Gateway) CallsToday(ctx context.Context, orgID, appID, productID string) (int, error) {
	p, ok := apps.ProductByID(productID)
	if !ok {
		return 0, fmt.Errorf("no product %s", productID)
	}
	var planID string
	for _, plan := range p.Plans {
		if id, ok := g.plans[apps.UsagePlanKey(p.ID, plan.ID)]; ok && planID == "" {
			planID = id
		}
	}
	if planID == "" {
		return 0, fmt.Errorf("no usage plan of %s in USAGE_PLAN_IDS", productID)
	}
	value := apps.UsageKey{OrgID: orgID, AppID: appID, ProductID: productID}.Value()
	id, err := g.keyID(ctx, value)
	if err != nil {
		return 0, err
	}
	if id == "" {
		// An app of the other environment, or one from before usage keys: this TPP API
		// does not meter it.
		return 0, fmt.Errorf("no usage key %s", value)
	}
	day := g.Now().UTC().Format(time.DateOnly)
	out, err := g.client.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: aws.String(planID), KeyId: aws.String(id), StartDate: aws.String(day), EndDate: aws.String(day)})
	if err != nil {
		return 0, fmt.Errorf("usage of %s: %w", value, err)
	}
	// Items ("values" on the wire) maps the key's ID to one [used, remaining] pair per day.
	days := out.Items[id]
	if len(days) == 0 || len(days[len(days)-1]) == 0 {
		return 0, nil
	}
	return int(days[len(days)-1][0]), nil
}
