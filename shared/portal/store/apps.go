package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
)

var _ apps.Store = (*Orgs)(nil)

type appItem struct {
	Key
	apps.App
	// Credentials counts the app's credentials, so the last one cannot be revoked.
	Credentials int `dynamodbav:"credentials"`
}

// credItem is a credential under its organization, listed with its app.
type credItem struct {
	Key
	apps.Credential
}

// clientItem is the copy of a credential found by client ID, with its app's access.
type clientItem struct {
	Key
	apps.Client
}

func issued(c apps.Credential) apps.Credential {
	c.SecretIssued = c.SecretHash != ""
	return c
}

// optionalAppAttributes are the app attributes stored only when set; an update that
// empties them removes them (DynamoDB keeps no empty sets).
var optionalAppAttributes = []string{"redirectUris", "fingerprints", "goLive", "sandboxAppId", lookup.AttrAPIKeys, "pendingChange"}

// appUpdate rewrites the app's attributes from after if the item still has before's
// version, and moves the version on.
func (o *Orgs) appUpdate(before, after apps.App) (workflow.Write, error) {
	av, err := attributevalue.MarshalMap(after)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal app")
	}
	delete(av, "version")
	names := map[string]string{"#ver": "version"}
	values := map[string]types.AttributeValue{":ver": num(before.Version), ":next": num(before.Version + 1)}
	sets := append([]string{"#ver = :next"}, setClauses("a", av, names, values)...)
	var removes []string
	for i, k := range optionalAppAttributes {
		if _, ok := av[k]; !ok {
			names[fmt.Sprintf("#r%d", i)] = k
			removes = append(removes, fmt.Sprintf("#r%d", i))
		}
	}
	expr := "SET " + strings.Join(sets, ", ")
	if len(removes) > 0 {
		expr += " REMOVE " + strings.Join(removes, ", ")
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(after.OrgID, after.ID)), UpdateExpression: aws.String(expr),
		ConditionExpression: aws.String("#ver = :ver"), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}, nil
}

func num(n int) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(n)} }

// accessUpdate gives one credential's lookup copy the app's current access.
func (o *Orgs) accessUpdate(clientID string, access apps.Access) (workflow.Write, error) {
	av, err := attributevalue.Marshal(access)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal access")
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(ClientKey(clientID)), UpdateExpression: aws.String("SET #acc = :acc"),
		ConditionExpression: aws.String("attribute_exists(PK)"), ExpressionAttributeNames: map[string]string{"#acc": "access"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":acc": av}}}, nil
}

// AppWrites store after in place of before and give every credential the new access.
func (o *Orgs) AppWrites(before, after apps.App, creds []apps.Credential) ([]workflow.Write, error) {
	u, err := o.appUpdate(before, after)
	if err != nil {
		return nil, err
	}
	writes := []workflow.Write{u}
	for _, c := range creds {
		w, err := o.accessUpdate(c.ClientID, after.Access())
		if err != nil {
			return nil, err
		}
		writes = append(writes, w)
	}
	return writes, nil
}

// UpdateApp applies AppWrites, the given writes and the audit entry together.
func (o *Orgs) UpdateApp(ctx context.Context, before, after apps.App, creds []apps.Credential, audit org.AuditEntry, with ...workflow.Write) error {
	writes, err := o.AppWrites(before, after, creds)
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append(append(writes, with...), au)...)
}

// credentialWrites are the two copies of a new credential: under the organization
// (listed) and under its client ID (looked up, with the app's access).
func (o *Orgs) credentialWrites(app apps.App, c apps.Credential) ([]workflow.Write, error) {
	a, err := o.put(credItem{Key: CredentialKey(c.OrgID, c.AppID, c.ClientID), Credential: c}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	b, err := o.put(clientItem{Key: ClientKey(c.ClientID), Client: apps.Client{Credential: c, Access: app.Access()}}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	return []workflow.Write{a, b}, nil
}

// CredentialWrites create a credential of app inside a larger transaction.
func (o *Orgs) CredentialWrites(app apps.App, c apps.Credential) ([]workflow.Write, error) {
	return o.credentialWrites(app, c)
}

// credentialSet updates attributes of both copies of an existing credential.
func (o *Orgs) credentialSet(c apps.Credential, set map[string]types.AttributeValue, cond string, condValues map[string]types.AttributeValue) []workflow.Write {
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	sets := setClauses("c", set, names, values)
	for k, v := range condValues {
		values[k] = v
	}
	var out []workflow.Write
	for _, k := range []Key{CredentialKey(c.OrgID, c.AppID, c.ClientID), ClientKey(c.ClientID)} {
		out = append(out, workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(k), UpdateExpression: aws.String("SET " + strings.Join(sets, ", ")),
			ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values}})
	}
	return out
}

// credentialCount moves the app's credential count and version together: an update or
// delete computed from an older list of credentials then fails instead of missing one.
// Adding needs the version read (the new credential copies that access) and room.
func (o *Orgs) credentialCount(app apps.App, delta int) workflow.Write {
	cond := "attribute_exists(PK)"
	values := map[string]types.AttributeValue{":d": num(delta), ":one": num(1)}
	if delta < 0 {
		cond += " AND credentials > :one"
	} else {
		cond += " AND version = :ver AND credentials < :max"
		values[":ver"] = num(app.Version)
		values[":max"] = num(apps.MaxCredentials)
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(app.OrgID, app.ID)),
		UpdateExpression: aws.String("SET credentials = credentials + :d, version = version + :one"), ConditionExpression: aws.String(cond), ExpressionAttributeValues: values}}
}

// TouchWrite moves the app's version on if it is still the one read: a write that
// depends on the app (a pending subscription) then conflicts with a delete or an update
// computed before it.
func (o *Orgs) TouchWrite(app apps.App) workflow.Write {
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(app.OrgID, app.ID)),
		UpdateExpression: aws.String("SET #ver = #ver + :one"), ConditionExpression: aws.String("#ver = :ver"),
		ExpressionAttributeNames:  map[string]string{"#ver": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":ver": num(app.Version)}}}
}

// PendingChangeWrite marks the change c of app as waiting for review: only if the app is
// still the version read and waits for no other change.
func (o *Orgs) PendingChangeWrite(app apps.App, c apps.PendingChange) (workflow.Write, error) {
	av, err := attributevalue.MarshalMap(c)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal pending change")
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(app.OrgID, app.ID)),
		UpdateExpression:          aws.String("SET #pc = :pc, #ver = #ver + :one"),
		ConditionExpression:       aws.String("#ver = :ver AND attribute_not_exists(#pc)"),
		ExpressionAttributeNames:  map[string]string{"#pc": "pendingChange", "#ver": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pc": &types.AttributeValueMemberM{Value: av}, ":one": num(1), ":ver": num(app.Version)}}}, nil
}

// ClearPendingChangeWrite ends the wait for the request's change, if the app still waits
// for it.
func (o *Orgs) ClearPendingChangeWrite(orgID, appID, requestID string) workflow.Write {
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(orgID, appID)),
		UpdateExpression:          aws.String("REMOVE #pc SET #ver = #ver + :one"),
		ConditionExpression:       aws.String("#pc.requestId = :id"),
		ExpressionAttributeNames:  map[string]string{"#pc": "pendingChange", "#ver": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": s(requestID), ":one": num(1)}}}
}

// ProductWrites add one active product to the app and to every credential's access copy
// without depending on the rest of the app: a workflow decision applied a moment later
// must not fail because the app was renamed meanwhile. The credential count must be the
// one listed, so no copy is missed.
func (o *Orgs) ProductWrites(app apps.App, creds []apps.Credential, productID, planID string) []workflow.Write {
	names := map[string]string{"#p": productID}
	writes := []workflow.Write{{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(app.OrgID, app.ID)),
		UpdateExpression:          aws.String("SET products.#p = :plan, version = version + :one"),
		ConditionExpression:       aws.String("credentials = :n"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: map[string]types.AttributeValue{":plan": s(planID), ":one": num(1), ":n": num(len(creds))}}}}
	for _, c := range creds {
		writes = append(writes, workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(ClientKey(c.ClientID)),
			UpdateExpression: aws.String("SET #acc.products.#p = :plan"), ConditionExpression: aws.String("attribute_exists(PK)"),
			ExpressionAttributeNames:  map[string]string{"#acc": "access", "#p": productID},
			ExpressionAttributeValues: map[string]types.AttributeValue{":plan": s(planID)}}})
	}
	return writes
}

// CreateAppWrites are the app (with one credential counted) and both copies of its
// first credential.
func (o *Orgs) CreateAppWrites(a apps.App, c apps.Credential) ([]workflow.Write, error) {
	aw, err := o.put(appItem{Key: AppKey(a.OrgID, a.ID), App: a, Credentials: 1}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	cw, err := o.credentialWrites(a, c)
	if err != nil {
		return nil, err
	}
	return append([]workflow.Write{aw}, cw...), nil
}

// CreateApp writes the app, its first credential, the given writes and the audit entry
// together.
func (o *Orgs) CreateApp(ctx context.Context, a apps.App, c apps.Credential, audit org.AuditEntry, with ...workflow.Write) error {
	writes, err := o.CreateAppWrites(a, c)
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append(append(writes, with...), au)...)
}

// ListApps lists an organization's apps.
func (o *Orgs) ListApps(ctx context.Context, orgID string) ([]apps.App, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, appPrefix, true, 0), func(it appItem) apps.App { return withLists(it.App) })
}

// GetApp returns one app of an organization.
func (o *Orgs) GetApp(ctx context.Context, orgID, appID string) (apps.App, error) {
	var it appItem
	err := o.get(ctx, AppKey(orgID, appID), &it, "app")
	return withLists(it.App), err
}

// withLists gives an app ordered, non-nil lists and map (DynamoDB keeps sets).
func withLists(a apps.App) apps.App {
	if a.RedirectURIs == nil {
		a.RedirectURIs = []string{}
	}
	if a.Fingerprints == nil {
		a.Fingerprints = []string{}
	}
	if a.Products == nil {
		a.Products = map[string]string{}
	}
	if a.APIKeys == nil {
		a.APIKeys = []lookup.APIKeyHash{}
	}
	slices.Sort(a.RedirectURIs)
	slices.Sort(a.Fingerprints)
	return a
}

// GoLiveWrite records a go-live request's state on the sandbox app and moves its version
// on, so a change computed from an older read fails instead of undoing it.
func (o *Orgs) GoLiveWrite(orgID, appID string, g apps.GoLive) (workflow.Write, error) {
	av, err := attributevalue.Marshal(g)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal go-live")
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(AppKey(orgID, appID)),
		UpdateExpression:          aws.String("SET goLive = :g, #ver = #ver + :one"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  map[string]string{"#ver": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": av, ":one": num(1)}}}, nil
}

// DeleteApp removes the app, both copies of each credential, its subscriptions and its
// certificates' attachment.
func (o *Orgs) DeleteApp(ctx context.Context, a apps.App, creds []apps.Credential, certs []apps.Certificate, subs []apps.Subscription, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	writes := []workflow.Write{au, {Delete: &types.Delete{TableName: &o.table, Key: keyAV(AppKey(a.OrgID, a.ID)),
		ConditionExpression: aws.String("#ver = :ver"), ExpressionAttributeNames: map[string]string{"#ver": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ver": num(a.Version)}}}}
	for _, c := range creds {
		writes = append(writes,
			workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(CredentialKey(c.OrgID, c.AppID, c.ClientID))}},
			workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(ClientKey(c.ClientID))}})
	}
	for _, c := range certs {
		writes = append(writes, o.DetachWrites(c)...)
	}
	for _, sub := range subs {
		writes = append(writes, o.DeleteSubscriptionWrite(sub))
	}
	return o.transact(ctx, errChanged, writes...)
}

// AddCredential adds a credential carrying the access of app, which must not have changed.
func (o *Orgs) AddCredential(ctx context.Context, app apps.App, c apps.Credential, audit org.AuditEntry, with ...workflow.Write) error {
	cw, err := o.credentialWrites(app, c)
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append(append(cw, o.credentialCount(app, 1), au), with...)...)
}

// ListCredentials lists an app's credentials (consistent read under the organization).
func (o *Orgs) ListCredentials(ctx context.Context, orgID, appID string) ([]apps.Credential, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, credPrefix(appID), true, 0), func(it credItem) apps.Credential { return issued(it.Credential) })
}

// Credential finds a credential by client ID in one consistent read (the portal's view).
func (o *Orgs) Credential(ctx context.Context, clientID string) (apps.Credential, error) {
	var it clientItem
	err := o.get(ctx, ClientKey(clientID), &it, "credential")
	return issued(it.Credential), err
}

// Client finds a credential and its app's access by client ID in one read. It is
// eventually consistent: the TPP API's hot path, where a change may take a moment.
func (o *Orgs) Client(ctx context.Context, clientID string) (apps.Client, error) {
	var it clientItem
	err := o.getEventually(ctx, ClientKey(clientID), &it, "credential")
	it.Credential = issued(it.Credential)
	return it.Client, err
}

// SetSecret replaces the secret hash of both copies if it still is oldHash.
func (o *Orgs) SetSecret(ctx context.Context, c apps.Credential, oldHash string, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	writes := o.credentialSet(c, map[string]types.AttributeValue{"secretHash": s(c.SecretHash), "resetAt": s(c.ResetAt.Format(time.RFC3339Nano))},
		"secretHash = :old", map[string]types.AttributeValue{":old": s(oldHash)})
	return o.transact(ctx, apperr.New(apperr.Conflict, "CONFLICT", "The secret was reset at the same time elsewhere; reload."), append(writes, au)...)
}

// RenameCredential renames both copies of an existing credential.
func (o *Orgs) RenameCredential(ctx context.Context, c apps.Credential, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	writes := o.credentialSet(c, map[string]types.AttributeValue{"name": s(c.Name)}, "attribute_exists(PK)", nil)
	return o.transact(ctx, errChanged, append(writes, au)...)
}

// RevokeCredential deletes both copies unless it is the app's last credential.
func (o *Orgs) RevokeCredential(ctx context.Context, c apps.Credential, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, apperr.New(apperr.Conflict, "LAST_CREDENTIAL", "An app keeps at least one credential: add another before you revoke this one, or delete the app."),
		o.credentialCount(apps.App{OrgID: c.OrgID, ID: c.AppID}, -1),
		workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(CredentialKey(c.OrgID, c.AppID, c.ClientID)), ConditionExpression: aws.String("attribute_exists(PK)")}},
		workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(ClientKey(c.ClientID))}},
		au)
}

var _ apps.SubscriptionStore = (*Orgs)(nil)

type subItem struct {
	Key
	apps.Subscription
}

// ListSubscriptions lists an app's subscriptions.
func (o *Orgs) ListSubscriptions(ctx context.Context, orgID, appID string) ([]apps.Subscription, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, subPrefix(appID), true, 0), func(it subItem) apps.Subscription { return it.Subscription })
}

// SubscriptionWrite stores a subscription unless the app has one to the product that
// was not rejected.
func (o *Orgs) SubscriptionWrite(sub apps.Subscription) (workflow.Write, error) {
	w, err := o.put(subItem{Key: SubscriptionKey(sub.OrgID, sub.AppID, sub.ProductID), Subscription: sub}, "attribute_not_exists(PK) OR #s = :rejected")
	if err != nil {
		return w, err
	}
	w.Put.ExpressionAttributeNames = map[string]string{"#s": "status"}
	w.Put.ExpressionAttributeValues = map[string]types.AttributeValue{":rejected": s(string(apps.SubscriptionRejected))}
	return w, nil
}

// SubscriptionDecisionWrite moves the pending subscription of one request to to.
func (o *Orgs) SubscriptionDecisionWrite(sub apps.Subscription, to apps.SubscriptionStatus, reason string, e approval.Event) (workflow.Write, error) {
	ev, err := eventAV(e)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal event")
	}
	expr := "SET #s = :to, updatedAt = :at, history = list_append(history, :ev)"
	values := map[string]types.AttributeValue{":to": s(string(to)), ":at": s(e.At.Format(time.RFC3339Nano)), ":ev": ev,
		":pending": s(string(apps.SubscriptionPending)), ":rid": s(sub.RequestID)}
	if reason != "" {
		expr += ", reason = :r"
		values[":r"] = s(reason)
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(SubscriptionKey(sub.OrgID, sub.AppID, sub.ProductID)),
		UpdateExpression: aws.String(expr), ConditionExpression: aws.String("#s = :pending AND requestId = :rid"),
		ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: values}}, nil
}

// DeleteSubscriptionWrite removes a subscription if its status has not changed.
func (o *Orgs) DeleteSubscriptionWrite(sub apps.Subscription) workflow.Write {
	return workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(SubscriptionKey(sub.OrgID, sub.AppID, sub.ProductID)),
		ConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s(string(sub.Status))}}}
}

// ClearSubscription removes a rejected subscription with its audit entry.
func (o *Orgs) ClearSubscription(ctx context.Context, sub apps.Subscription, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, o.DeleteSubscriptionWrite(sub), au)
}

var _ apps.CertificateStore = (*Orgs)(nil)

type certItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	apps.Certificate
}

type fingerprintItem struct {
	Key
	apps.FingerprintOwner
}

// expiryKey orders certificates by expiry in GSI1.
func expiryKey(c apps.Certificate) string {
	return c.NotAfter.UTC().Format(time.RFC3339) + "#" + c.OrgID + "#" + c.Fingerprint
}

func (o *Orgs) certificatePut(c apps.Certificate) (workflow.Write, error) {
	return o.put(certItem{Key: OrgCertificateKey(c.OrgID, c.Fingerprint), GSI1PK: allCerts, GSI1SK: expiryKey(c), Certificate: c}, "attribute_not_exists(PK)")
}

// PutCertificate stores an uploaded certificate once per organization.
func (o *Orgs) PutCertificate(ctx context.Context, c apps.Certificate, audit org.AuditEntry) error {
	cw, err := o.certificatePut(c)
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

// DeleteCertificate removes an uploaded certificate no app uses.
func (o *Orgs) DeleteCertificate(ctx context.Context, c apps.Certificate, audit org.AuditEntry) error {
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	del := workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)),
		ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(appId)")}}
	return o.transact(ctx, apperr.New(apperr.Conflict, "CERTIFICATE_IN_USE", "An app started using this certificate meanwhile; reload."), del, au)
}

// UploadAttachedWrites store a new certificate already attached to app, with its
// fingerprint lookup.
func (o *Orgs) UploadAttachedWrites(c apps.Certificate, app apps.App) ([]workflow.Write, error) {
	c.AppID = app.ID
	cw, err := o.certificatePut(c)
	if err != nil {
		return nil, err
	}
	lookup, err := o.fingerprintPut(c, app)
	if err != nil {
		return nil, err
	}
	return []workflow.Write{cw, lookup}, nil
}

func (o *Orgs) fingerprintPut(c apps.Certificate, app apps.App) (workflow.Write, error) {
	return o.put(fingerprintItem{Key: FingerprintKey(c.Fingerprint),
		FingerprintOwner: apps.FingerprintOwner{Fingerprint: c.Fingerprint, OrgID: app.OrgID, AppID: app.ID, Environment: app.Environment}}, "attribute_not_exists(PK)")
}

// RecordPossession stores the proof that the organization holds the certificate's key,
// with the spent challenge; a certificate proven meanwhile, or a challenge spent meanwhile,
// refuses it.
func (o *Orgs) RecordPossession(ctx context.Context, c apps.Certificate, p possession.Proof, spend workflow.Write, audit org.AuditEntry) error {
	av, err := marshalProof(p)
	if err != nil {
		return err
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	set := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)),
		UpdateExpression: aws.String("SET possession = :p"), ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(possession)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": av}}}
	return o.transact(ctx, possession.ErrSpent, set, spend, au)
}

// AttachWrites mark the certificate as the app's and write the fingerprint lookup; both
// fail if the certificate was attached meanwhile, and the mark fails unless possession of
// its key is proven (an unproven certificate never gets a fingerprint lookup) and it is
// not revoked.
func (o *Orgs) AttachWrites(c apps.Certificate, app apps.App) ([]workflow.Write, error) {
	mark := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)),
		UpdateExpression: aws.String("SET appId = :app"), ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(appId) AND attribute_exists(possession) AND attribute_not_exists(revokedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":app": s(app.ID)}}}
	lookup, err := o.fingerprintPut(c, app)
	if err != nil {
		return nil, err
	}
	return []workflow.Write{mark, lookup}, nil
}

// TakeOverWrites give app the proven certificate c whose fingerprint lookup an unproven
// certificate of another organization holds (from, attached to from.AppID: an attachment
// made before possession had to be proven). c is marked as app's; the lookup is replaced
// on condition that it still names from's app; from is freed on condition that it is still
// attached there and still unproven. A proven claim wins over an unproven one.
func (o *Orgs) TakeOverWrites(c apps.Certificate, app apps.App, from apps.Certificate) ([]workflow.Write, error) {
	writes, err := o.AttachWrites(c, app)
	if err != nil {
		return nil, err
	}
	lookup := writes[1].Put
	lookup.ConditionExpression = aws.String("orgId = :org AND appId = :app")
	lookup.ExpressionAttributeValues = map[string]types.AttributeValue{":org": s(from.OrgID), ":app": s(from.AppID)}
	free := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(from.OrgID, from.Fingerprint)),
		UpdateExpression: aws.String("REMOVE appId"), ConditionExpression: aws.String("appId = :app AND attribute_not_exists(possession)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":app": s(from.AppID)}}}
	return append(writes, free), nil
}

// DetachWrites free the certificate and remove its fingerprint lookup.
func (o *Orgs) DetachWrites(c apps.Certificate) []workflow.Write {
	unmark := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)),
		UpdateExpression: aws.String("REMOVE appId"), ConditionExpression: aws.String("appId = :app"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":app": s(c.AppID)}}}
	del := workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(FingerprintKey(c.Fingerprint))}}
	return []workflow.Write{unmark, del}
}

// ExpiringCertificates lists every organization's certificates expiring between from and
// until, soonest first.
func (o *Orgs) ExpiringCertificates(ctx context.Context, from, until time.Time) ([]apps.Certificate, error) {
	in := o.byGSI1Range(allCerts, from.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339)+"~")
	return queryItems(ctx, o, in, func(it certItem) apps.Certificate { return it.Certificate })
}

// MarkWarned records a sent expiry warning on the certificate.
func (o *Orgs) MarkWarned(ctx context.Context, c apps.Certificate, daysLeft int) error {
	return o.update(ctx, OrgCertificateKey(c.OrgID, c.Fingerprint), "ADD warned :d", "attribute_exists(PK)",
		map[string]types.AttributeValue{":d": &types.AttributeValueMemberNS{Value: []string{fmt.Sprint(daysLeft)}}})
}

// Fingerprint finds the app a certificate is attached to in one (eventually consistent)
// read.
func (o *Orgs) Fingerprint(ctx context.Context, fingerprint string) (apps.FingerprintOwner, error) {
	var it fingerprintItem
	err := o.getEventually(ctx, FingerprintKey(fingerprint), &it, "certificate")
	return it.FingerprintOwner, err
}

// AccessCopies are the keys of the organization's credential lookup copies and of its
// attached certificates' fingerprint lookups: what lets its apps be called.
func (o *Orgs) AccessCopies(ctx context.Context, orgID string) ([]workflow.Delete, error) {
	creds, err := queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, "CRED#", true, 0), func(it credItem) Key { return ClientKey(it.ClientID) })
	if err != nil {
		return nil, err
	}
	certs, err := queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, certPrefix, true, 0), func(it certItem) apps.Certificate { return it.Certificate })
	if err != nil {
		return nil, err
	}
	out := make([]workflow.Delete, 0, len(creds)+len(certs))
	for _, k := range creds {
		out = append(out, workflow.Delete{Table: o.table, PK: k.PK, SK: k.SK})
	}
	for _, c := range certs {
		if c.AppID != "" {
			k := FingerprintKey(c.Fingerprint)
			out = append(out, workflow.Delete{Table: o.table, PK: k.PK, SK: k.SK})
		}
	}
	return out, nil
}

// cleanupItem marks an unfinished offboarding cleanup.
type cleanupItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	org.Cleanup
}

// CleanupMarker is the write that records an organization's offboarding cleanup as
// unfinished, for the workflow to make if a delete fails.
func (o *Orgs) CleanupMarker(c org.Cleanup) (workflow.Write, error) {
	return o.put(cleanupItem{Key: CleanupKey(c.OrgID), GSI1PK: allCleanups, GSI1SK: c.At.UTC().Format(time.RFC3339Nano) + "#" + c.OrgID, Cleanup: c}, "")
}

// UnfinishedCleanups lists the recorded unfinished cleanups, oldest first.
func (o *Orgs) UnfinishedCleanups(ctx context.Context) ([]org.Cleanup, error) {
	return queryItems(ctx, o, o.byGSI1(allCleanups, true, 0), func(it cleanupItem) org.Cleanup { return it.Cleanup })
}

// FinishCleanup deletes what is left (deleting an item already gone succeeds), then the
// marker: a failure leaves the marker for the next run.
func (o *Orgs) FinishCleanup(ctx context.Context, c org.Cleanup, deletes []workflow.Delete) error {
	for _, d := range deletes {
		k := map[string]types.AttributeValue{"PK": s(d.PK), "SK": s(d.SK)}
		if _, err := o.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(d.Table), Key: k}); err != nil {
			return apperr.Wrap(err, "cleanup delete %s/%s", d.PK, d.SK)
		}
	}
	if _, err := o.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &o.table, Key: keyAV(CleanupKey(c.OrgID))}); err != nil {
		return apperr.Wrap(err, "delete cleanup marker of %s", c.OrgID)
	}
	return nil
}
