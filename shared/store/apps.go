package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/apperr"
	"github.com/bank/devportal/shared/apps"
	"github.com/bank/devportal/shared/org"
	"github.com/bank/devportal/shared/workflow"
)

var _ apps.Store = (*Orgs)(nil)

type appItem struct {
	Key
	apps.App
	// Credentials counts the app's credentials, so the last one cannot be revoked.
	Credentials int `dynamodbav:"credentials"`
}

type credItem struct {
	Key
	apps.Credential
}

// credentialWrites are the two copies of a credential: under the organization (listed)
// and under its client ID (looked up); cond applies to both.
func (o *Orgs) credentialWrites(c apps.Credential, cond string) ([]workflow.Write, error) {
	a, err := o.put(credItem{Key: CredentialKey(c.OrgID, c.AppID, c.ClientID), Credential: c}, cond)
	if err != nil {
		return nil, err
	}
	b, err := o.put(credItem{Key: ClientKey(c.ClientID), Credential: c}, cond)
	if err != nil {
		return nil, err
	}
	return []workflow.Write{a, b}, nil
}

func (o *Orgs) credentialCount(orgID, appID string, delta int) workflow.Write {
	cond := "attribute_exists(PK)"
	if delta < 0 {
		cond += " AND credentials > :one"
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(orgID, appID)),
		UpdateExpression: aws.String("SET credentials = credentials + :d"), ConditionExpression: aws.String(cond),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":d":   &types.AttributeValueMemberN{Value: fmt.Sprint(delta)},
			":one": &types.AttributeValueMemberN{Value: "1"}}}}
}

// CreateApp writes the app, its first credential and the audit entry together.
func (o *Orgs) CreateApp(ctx context.Context, a apps.App, c apps.Credential, audit org.AuditEntry) error {
	aw, err := o.put(appItem{Key: AppKey(a.OrgID, a.ID), App: a, Credentials: 1}, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	cw, err := o.credentialWrites(c, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append([]workflow.Write{aw, au}, cw...)...)
}

// ListApps lists an organization's apps.
func (o *Orgs) ListApps(ctx context.Context, orgID string) ([]apps.App, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, appPrefix, true, 0), func(it appItem) apps.App { return withURIs(it.App) })
}

// GetApp returns one app of an organization.
func (o *Orgs) GetApp(ctx context.Context, orgID, appID string) (apps.App, error) {
	var it appItem
	err := o.get(ctx, AppKey(orgID, appID), &it, "app")
	return withURIs(it.App), err
}

// withURIs gives an app an ordered, non-nil list of redirect URIs (DynamoDB keeps a set).
func withURIs(a apps.App) apps.App {
	if a.RedirectURIs == nil {
		a.RedirectURIs = []string{}
	}
	slices.Sort(a.RedirectURIs)
	return a
}

// RenameApp renames an existing app.
func (o *Orgs) RenameApp(ctx context.Context, orgID, appID, name string, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	u := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(orgID, appID)),
		UpdateExpression: aws.String("SET #n = :n"), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames: map[string]string{"#n": "name"}, ExpressionAttributeValues: map[string]types.AttributeValue{":n": s(name)}}}
	return o.transact(ctx, errChanged, u, au)
}

// DeleteApp removes the app and both copies of each credential.
func (o *Orgs) DeleteApp(ctx context.Context, a apps.App, creds []apps.Credential, certs []apps.Certificate, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	writes := []workflow.Write{au, {Delete: &types.Delete{TableName: &o.table, Key: keyAV(AppKey(a.OrgID, a.ID)), ConditionExpression: aws.String("attribute_exists(PK)")}}}
	for _, c := range creds {
		writes = append(writes,
			workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(CredentialKey(c.OrgID, c.AppID, c.ClientID))}},
			workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(ClientKey(c.ClientID))}})
	}
	for _, c := range certs {
		writes = append(writes,
			workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)), UpdateExpression: aws.String("REMOVE appId")}},
			workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(FingerprintKey(c.Fingerprint))}})
	}
	return o.transact(ctx, errChanged, writes...)
}

// AddCredential adds a credential to an existing app.
func (o *Orgs) AddCredential(ctx context.Context, c apps.Credential, audit org.AuditEntry) error {
	cw, err := o.credentialWrites(c, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append(cw, o.credentialCount(c.OrgID, c.AppID, 1), au)...)
}

// ListCredentials lists an app's credentials (consistent read under the organization).
func (o *Orgs) ListCredentials(ctx context.Context, orgID, appID string) ([]apps.Credential, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, credPrefix(appID), true, 0), func(it credItem) apps.Credential { return it.Credential })
}

// Credential finds a credential by client ID in one read.
func (o *Orgs) Credential(ctx context.Context, clientID string) (apps.Credential, error) {
	var it credItem
	err := o.get(ctx, ClientKey(clientID), &it, "credential")
	return it.Credential, err
}

// SetSecret replaces the secret hash of both copies if it still is oldHash.
func (o *Orgs) SetSecret(ctx context.Context, c apps.Credential, oldHash string, audit org.AuditEntry) error {
	cw, err := o.credentialWrites(c, "secretHash = :old")
	if err != nil {
		return err
	}
	for _, w := range cw {
		w.Put.ExpressionAttributeValues = map[string]types.AttributeValue{":old": s(oldHash)}
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, apperr.New(apperr.Conflict, "CONFLICT", "The secret was reset at the same time elsewhere; reload."), append(cw, au)...)
}

// RenameCredential renames both copies of an existing credential.
func (o *Orgs) RenameCredential(ctx context.Context, c apps.Credential, audit org.AuditEntry) error {
	cw, err := o.credentialWrites(c, "attribute_exists(PK)")
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append(cw, au)...)
}

// RevokeCredential deletes both copies unless it is the app's last credential.
func (o *Orgs) RevokeCredential(ctx context.Context, c apps.Credential, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, apperr.New(apperr.Conflict, "LAST_CREDENTIAL", "An app keeps at least one credential: add another before you revoke this one, or delete the app."),
		o.credentialCount(c.OrgID, c.AppID, -1),
		workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(CredentialKey(c.OrgID, c.AppID, c.ClientID)), ConditionExpression: aws.String("attribute_exists(PK)")}},
		workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(ClientKey(c.ClientID))}},
		au)
}

// AddRedirectURI adds a URI to the app's set. The service checks the count first; the
// set keeps a URI once even if two requests add it together.
func (o *Orgs) AddRedirectURI(ctx context.Context, orgID, appID, uri string, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	u := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(orgID, appID)),
		UpdateExpression:          aws.String("ADD redirectUris :u"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberSS{Value: []string{uri}}}}}
	return o.transact(ctx, errChanged, u, au)
}

// RemoveRedirectURI removes a URI from the app's set.
func (o *Orgs) RemoveRedirectURI(ctx context.Context, orgID, appID, uri string, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	u := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(orgID, appID)),
		UpdateExpression: aws.String("DELETE redirectUris :u"), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberSS{Value: []string{uri}}}}}
	return o.transact(ctx, errChanged, u, au)
}

var _ apps.CertificateStore = (*Orgs)(nil)

type certItem struct {
	Key
	apps.Certificate
}

type fingerprintItem struct {
	Key
	OrgID string `dynamodbav:"orgId"`
	AppID string `dynamodbav:"appId"`
}

// PutCertificate stores an uploaded certificate once per organization.
func (o *Orgs) PutCertificate(ctx context.Context, c apps.Certificate, audit org.AuditEntry) error {
	cw, err := o.put(certItem{Key: OrgCertificateKey(c.OrgID, c.Fingerprint), Certificate: c}, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, apperr.New(apperr.Conflict, "DUPLICATE", "This certificate is already uploaded."), cw, au)
}

// ListCertificates lists an organization's certificates.
func (o *Orgs) ListCertificates(ctx context.Context, orgID string) ([]apps.Certificate, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, certPrefix, true, 0), func(it certItem) apps.Certificate { return it.Certificate })
}

// GetCertificate returns one uploaded certificate.
func (o *Orgs) GetCertificate(ctx context.Context, orgID, fingerprint string) (apps.Certificate, error) {
	var it certItem
	err := o.get(ctx, OrgCertificateKey(orgID, fingerprint), &it, "certificate")
	return it.Certificate, err
}

// AttachCertificate marks the certificate as the app's and writes the fingerprint lookup;
// both fail if the certificate was attached meanwhile.
func (o *Orgs) AttachCertificate(ctx context.Context, c apps.Certificate, appID string, _ int, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	mark := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)),
		UpdateExpression: aws.String("SET appId = :app"), ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(appId)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":app": s(appID)}}}
	lookup, err := o.put(fingerprintItem{Key: FingerprintKey(c.Fingerprint), OrgID: c.OrgID, AppID: appID}, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	app := workflow.Write{Check: &types.ConditionCheck{TableName: &o.table, Key: keyAV(AppKey(c.OrgID, appID)), ConditionExpression: aws.String("attribute_exists(PK)")}}
	return o.transact(ctx, apperr.New(apperr.Conflict, "CONFLICT", "The certificate was attached elsewhere at the same time; reload."), mark, lookup, app, au)
}

// DetachCertificate frees the certificate and removes its fingerprint lookup.
func (o *Orgs) DetachCertificate(ctx context.Context, c apps.Certificate, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	unmark := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)),
		UpdateExpression: aws.String("REMOVE appId"), ConditionExpression: aws.String("appId = :app"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":app": s(c.AppID)}}}
	del := workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(FingerprintKey(c.Fingerprint))}}
	return o.transact(ctx, errChanged, unmark, del, au)
}
