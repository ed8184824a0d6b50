package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
)

// keysOf are the attributes that locate an item in a query of the table or an index,
// its partition key first.
func keysOf(index *string) paging.Keys {
	switch aws.ToString(index) {
	case IndexGSI1:
		return paging.Keys{AttrGSI1PK, AttrGSI1SK, "PK", "SK"}
	case IndexGSI2:
		return paging.Keys{AttrGSI2PK, AttrGSI2SK, "PK", "SK"}
	default:
		return paging.Keys{"PK", "SK"}
	}
}

// queryPage reads one page of a query of the portal table (paging.Query).
func queryPage[I any](ctx context.Context, db DynamoDB, in dynamodb.QueryInput, page paging.Page) ([]I, string, error) {
	return paging.Query[I](ctx, db, in, keysOf(in.IndexName), page)
}

// prefixPage reads one page of the items of partition pk whose sort key starts with
// prefix, in key order (strongly consistent: a list read right after a change shows it),
// and keeps what pick takes from each.
func prefixPage[I, T any](ctx context.Context, o *Orgs, pk, prefix string, page paging.Page, pick func(I) T) ([]T, string, error) {
	items, next, err := queryPage[I](ctx, o.db, *o.byPrefix(pk, prefix, true, 0), page)
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = pick(it)
	}
	return out, next, err
}

// MembersPage reads one page of an organization's members, by user ID.
func (o *Orgs) MembersPage(ctx context.Context, orgID string, page paging.Page) ([]org.Member, string, error) {
	return prefixPage(ctx, o, OrgKey(orgID).PK, memberPrefix, page, func(it memberItem) org.Member { return it.Member })
}

// InvitationsPage reads one page of an organization's invitations, pending and closed
// alike, by invitation ID.
func (o *Orgs) InvitationsPage(ctx context.Context, orgID string, page paging.Page) ([]org.Invitation, string, error) {
	return prefixPage(ctx, o, OrgKey(orgID).PK, invitePrefix, page, func(it inviteItem) org.Invitation { return it.Invitation })
}

// AppsPage reads one page of an organization's apps, by app ID.
func (o *Orgs) AppsPage(ctx context.Context, orgID string, page paging.Page) ([]apps.App, string, error) {
	return prefixPage(ctx, o, OrgKey(orgID).PK, appPrefix, page, func(it appItem) apps.App { return withLists(it.App) })
}

// CertificatesPage reads one page of an organization's uploaded certificates, by
// fingerprint.
func (o *Orgs) CertificatesPage(ctx context.Context, orgID string, page paging.Page) ([]apps.Certificate, string, error) {
	return prefixPage(ctx, o, OrgKey(orgID).PK, certPrefix, page, func(it certItem) apps.Certificate { return it.Certificate })
}

// SubscriptionsPage reads one page of an app's subscriptions, by product ID.
func (o *Orgs) SubscriptionsPage(ctx context.Context, orgID, appID string, page paging.Page) ([]apps.Subscription, string, error) {
	return prefixPage(ctx, o, OrgKey(orgID).PK, subPrefix(appID), page, func(it subItem) apps.Subscription { return it.Subscription })
}
