package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
)

// Orgs stores organizations, members, codes and the audit trail in the portal table.
type Orgs struct {
	db    DynamoDB
	table string
}

var _ org.Store = (*Orgs)(nil)

// NewOrgs returns the organization store for the named table.
func NewOrgs(db DynamoDB, table string) *Orgs { return &Orgs{db: db, table: table} }

type orgItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	org.Organization
	Version int64 `dynamodbav:"version"`
}

type memberItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	org.Member
}

type codeItem struct {
	Key
	OrgID string `dynamodbav:"orgId"`
}

type auditItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	org.AuditEntry
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func (o *Orgs) put(v any, cond string) (workflow.Write, error) {
	av, err := attributevalue.MarshalMap(v)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal %T", v)
	}
	p := &types.Put{TableName: &o.table, Item: av}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
	}
	return workflow.Write{Put: p}, nil
}

func (o *Orgs) memberWrite(m org.Member) (workflow.Write, error) {
	k := MemberKey(m.OrgID, m.UserID)
	return o.put(memberItem{Key: k, GSI1PK: membershipsOf(m.UserID), GSI1SK: "ORG#" + m.OrgID, Member: m}, "attribute_not_exists(PK)")
}

// AuditWrite is the write recording one audit entry.
func (o *Orgs) AuditWrite(e org.AuditEntry) (workflow.Write, error) {
	at := e.At.UTC().Format(auditTime)
	id := randomID()
	return o.put(auditItem{Key: AuditKey(e.OrgID, at, id), GSI1PK: allAudit, GSI1SK: at + "#" + id, AuditEntry: e}, "")
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// transact runs writes as one transaction; a failed condition becomes conflict.
func (o *Orgs) transact(ctx context.Context, conflict error, writes ...workflow.Write) error {
	items := make([]types.TransactWriteItem, 0, len(writes))
	for _, w := range writes {
		items = append(items, types.TransactWriteItem{Put: w.Put, Update: w.Update, ConditionCheck: w.Check, Delete: w.Delete})
	}
	_, err := o.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		for i := range canceled.CancellationReasons {
			if conditionFailed(canceled, i) {
				return conflict
			}
		}
		// Cancelled for contention or throttling, not by a rule: worth a retry.
		return &apperr.Error{Kind: apperr.Unavailable, Code: "BUSY", Message: "The service is busy; try again in a moment.", Cause: err}
	}
	if err != nil {
		return apperr.Wrap(err, "transaction")
	}
	return nil
}

var errChanged = apperr.New(apperr.Conflict, "CONFLICT", "Something changed at the same time; reload and try again.")

// OrganizationWrites are the writes creating a pending organization with its owner; the
// onboarding request joins them to its own transaction.
func (o *Orgs) OrganizationWrites(g org.Organization, owner org.Member, audit org.AuditEntry) ([]workflow.Write, error) {
	g.Members = 1
	ow, err := o.put(orgItem{Key: OrgKey(g.ID), GSI1PK: allOrgs, GSI1SK: "ORG#" + g.ID, Organization: g, Version: 1}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	mw, err := o.memberWrite(owner)
	if err != nil {
		return nil, err
	}
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return nil, err
	}
	writes := []workflow.Write{ow, mw, aw}
	if g.Status == org.StatusDraft {
		// A draft's certificates are unproven: it must not keep the TPP whose certificates
		// they are from onboarding.
		return writes, nil
	}
	iw, err := o.identifierReservation(g)
	if err != nil {
		return nil, err
	}
	return append(writes, iw), nil
}

// identifierReservation reserves the organization's organizationIdentifier in its
// environment, refused if another organization holds it.
func (o *Orgs) identifierReservation(g org.Organization) (workflow.Write, error) {
	return o.put(codeItem{Key: OrgIdentifierKey(string(g.Environment), g.OrganizationIdentifier), OrgID: g.ID}, "attribute_not_exists(PK)")
}

// CreateOrganization stores a new organization, its owner and the audit entry together.
func (o *Orgs) CreateOrganization(ctx context.Context, g org.Organization, owner org.Member, audit org.AuditEntry) error {
	writes, err := o.OrganizationWrites(g, owner, audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, writes...)
}

// possessionAttribute is the organization attribute holding the proof for an onboarding
// certificate ("qwac" or "qsealc").
func possessionAttribute(certificate string) string { return certificate + "Possession" }

// otherCertificate is the onboarding's other certificate.
func otherCertificate(certificate string) string {
	if certificate == "qwac" {
		return "qsealc"
	}
	return "qwac"
}

// onboardingProof is the update recording a draft's proof for one certificate, on
// condition that the draft has none for it yet; also moving it to pending when submit, on
// condition that the other certificate is proven, else on condition that it is not (a
// proof of the other at the same moment must not leave both proven and nothing submitted).
func (o *Orgs) onboardingProof(orgID, certificate string, p possession.Proof, submit bool) (workflow.Write, error) {
	av, err := marshalProof(p)
	if err != nil {
		return workflow.Write{}, err
	}
	names := map[string]string{"#p": possessionAttribute(certificate), "#o": possessionAttribute(otherCertificate(certificate)), "#s": "status"}
	values := map[string]types.AttributeValue{":p": av, ":draft": s(string(org.StatusDraft))}
	expr, cond := "SET #p = :p", "#s = :draft AND attribute_not_exists(#p) AND attribute_not_exists(#o)"
	if submit {
		expr, cond = "SET #p = :p, #s = :pending", "#s = :draft AND attribute_not_exists(#p) AND attribute_exists(#o)"
		values[":pending"] = s(string(org.StatusPending))
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)), UpdateExpression: aws.String(expr),
		ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}, nil
}

// RecordOnboardingPossession stores a draft's proof for its first certificate with the
// spent challenge; it is refused if the draft was submitted or either certificate proven
// meanwhile, or the challenge spent.
func (o *Orgs) RecordOnboardingPossession(ctx context.Context, orgID, certificate string, p possession.Proof, spend workflow.Write, audit org.AuditEntry) error {
	set, err := o.onboardingProof(orgID, certificate, p, false)
	if err != nil {
		return err
	}
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, possession.ErrSpent, set, spend, aw)
}

// OnboardingSubmitWrites record a draft's proof for its last certificate, move it to
// pending and reserve its organizationIdentifier (refused if taken): the onboarding request
// joins them, with the spent challenge, in one transaction.
func (o *Orgs) OnboardingSubmitWrites(g org.Organization, certificate string, p possession.Proof) ([]workflow.Write, error) {
	set, err := o.onboardingProof(g.ID, certificate, p, true)
	if err != nil {
		return nil, err
	}
	iw, err := o.identifierReservation(g)
	if err != nil {
		return nil, err
	}
	return []workflow.Write{set, iw}, nil
}

// IdentifierHolder returns the organization holding an organizationIdentifier in an
// environment, or ErrNotFound.
func (o *Orgs) IdentifierHolder(ctx context.Context, env, identifier string) (string, error) {
	var c codeItem
	err := o.get(ctx, OrgIdentifierKey(env, identifier), &c, "organization identifier")
	return c.OrgID, err
}

// IdentifierRelease frees an organizationIdentifier held by orgID (rejected, expired or
// offboarded), so the TPP can onboard again.
func (o *Orgs) IdentifierRelease(orgID, env, identifier string) workflow.Write {
	return workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(OrgIdentifierKey(env, identifier)),
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR orgId = :org"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":org": s(orgID)}}}
}

func (o *Orgs) get(ctx context.Context, k Key, dst any, what string) error {
	return o.read(ctx, k, dst, what, true)
}

// getEventually is get with an eventually consistent read: half the cost, for the TPP
// API's lookups, where a change may take a moment to show.
func (o *Orgs) getEventually(ctx context.Context, k Key, dst any, what string) error {
	return o.read(ctx, k, dst, what, false)
}

func (o *Orgs) read(ctx context.Context, k Key, dst any, what string, consistent bool) error {
	out, err := o.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &o.table, Key: keyAV(k), ConsistentRead: aws.Bool(consistent)})
	if err != nil {
		return apperr.Wrap(err, "get %s", what)
	}
	if out.Item == nil {
		return apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such "+what+".")
	}
	if err := attributevalue.UnmarshalMap(out.Item, dst); err != nil {
		return apperr.Wrap(err, "unmarshal %s", what)
	}
	return nil
}

// GetOrganization returns an organization.
func (o *Orgs) GetOrganization(ctx context.Context, id string) (org.Organization, error) {
	var it orgItem
	err := o.get(ctx, OrgKey(id), &it, "organization")
	return it.Organization, err
}

// OrganizationByCode finds the organization a code belongs to.
func (o *Orgs) OrganizationByCode(ctx context.Context, code string) (org.Organization, error) {
	var c codeItem
	if err := o.get(ctx, OrgCodeKey(strings.ToUpper(code)), &c, "organization code"); err != nil {
		return org.Organization{}, err
	}
	return o.GetOrganization(ctx, c.OrgID)
}

func (o *Orgs) queryAll(ctx context.Context, in *dynamodb.QueryInput, each func(map[string]types.AttributeValue) error) error {
	pages := dynamodb.NewQueryPaginator(o.db, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return apperr.Wrap(err, "query")
		}
		for _, item := range page.Items {
			if err := each(item); err != nil {
				return apperr.Wrap(err, "unmarshal")
			}
		}
	}
	return nil
}

func (o *Orgs) byGSI1(pk string, forward bool, limit int32) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{TableName: &o.table, IndexName: aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk)},
		ScanIndexForward:          aws.Bool(forward)}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	return in
}

// byGSI1Range queries one GSI1 partition between two sort keys, ascending.
func (o *Orgs) byGSI1Range(pk, from, to string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{TableName: &o.table, IndexName: aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":from": s(from), ":to": s(to)},
		ScanIndexForward:          aws.Bool(true)}
}

// update runs one conditional update.
func (o *Orgs) update(ctx context.Context, k Key, expr, cond string, values map[string]types.AttributeValue) error {
	_, err := o.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &o.table, Key: keyAV(k), UpdateExpression: aws.String(expr),
		ConditionExpression: aws.String(cond), ExpressionAttributeValues: values})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return errChanged
	}
	if err != nil {
		return apperr.Wrap(err, "update")
	}
	return nil
}

func (o *Orgs) byPrefix(pk, prefix string, forward bool, limit int32) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{TableName: &o.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":p": s(prefix)},
		ScanIndexForward:          aws.Bool(forward)}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	return in
}

// queryItems runs a query through every page, unmarshals each item as I and keeps what
// pick takes from it.
func queryItems[I, T any](ctx context.Context, o *Orgs, in *dynamodb.QueryInput, pick func(I) T) ([]T, error) {
	var out []T
	err := o.queryAll(ctx, in, func(item map[string]types.AttributeValue) error {
		var it I
		err := attributevalue.UnmarshalMap(item, &it)
		out = append(out, pick(it))
		return err
	})
	return out, err
}

// ListOrganizations lists every organization (operations console).
func (o *Orgs) ListOrganizations(ctx context.Context) ([]org.Organization, error) {
	return queryItems(ctx, o, o.byGSI1(allOrgs, true, 0), func(it orgItem) org.Organization { return it.Organization })
}

// OrganizationsPage reads one page of every organization, oldest first.
func (o *Orgs) OrganizationsPage(ctx context.Context, page paging.Page) ([]org.Organization, string, error) {
	items, next, err := queryPage[orgItem](ctx, o.db, *o.byGSI1(allOrgs, true, 0), page)
	out := make([]org.Organization, len(items))
	for i, it := range items {
		out[i] = it.Organization
	}
	return out, next, err
}

// GetMember returns one membership.
func (o *Orgs) GetMember(ctx context.Context, orgID, userID string) (org.Member, error) {
	var it memberItem
	err := o.get(ctx, MemberKey(orgID, userID), &it, "member")
	return it.Member, err
}

// ListMembers lists an organization's members.
func (o *Orgs) ListMembers(ctx context.Context, orgID string) ([]org.Member, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, memberPrefix, true, 0), func(it memberItem) org.Member { return it.Member })
}

// Memberships lists a user's organizations through GSI1.
func (o *Orgs) Memberships(ctx context.Context, userID string) ([]org.Member, error) {
	return queryItems(ctx, o, o.byGSI1(membershipsOf(userID), true, 0), func(it memberItem) org.Member { return it.Member })
}

// countUpdate changes the member count of an active organization by delta, and when
// adding, only while it is below max.
func (o *Orgs) countUpdate(orgID string, delta, max int) workflow.Write {
	values := map[string]types.AttributeValue{
		":d":      &types.AttributeValueMemberN{Value: fmt.Sprint(delta)},
		":active": s(string(org.StatusActive)),
	}
	cond := "#s = :active"
	if delta > 0 {
		cond += " AND members < :max"
		values[":max"] = &types.AttributeValueMemberN{Value: fmt.Sprint(max)}
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)),
		UpdateExpression: aws.String("SET members = members + :d"), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: values}}
}

// AddMember adds a member to an active organization with room for one more.
func (o *Orgs) AddMember(ctx context.Context, m org.Member, max int, audit org.AuditEntry) error {
	mw, err := o.memberWrite(m)
	if err != nil {
		return err
	}
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	notRemoved := workflow.Write{Check: &types.ConditionCheck{TableName: &o.table, Key: keyAV(RemovedKey(m.OrgID, m.UserID)),
		ConditionExpression: aws.String("attribute_not_exists(PK)")}}
	err = o.transact(ctx, errChanged, o.countUpdate(m.OrgID, 1, max), mw, aw, notRemoved)
	if errors.Is(err, errChanged) {
		return o.explainAddRefusal(ctx, m, max)
	}
	return err
}

// explainAddRefusal says why AddMember's transaction was refused, from the items as they are.
func (o *Orgs) explainAddRefusal(ctx context.Context, m org.Member, max int) error {
	if _, err := o.GetMember(ctx, m.OrgID, m.UserID); err == nil {
		return org.ErrAlreadyMember
	}
	var removed codeItem
	if err := o.get(ctx, RemovedKey(m.OrgID, m.UserID), &removed, "removal"); err == nil {
		return org.ErrRemoved
	}
	g, err := o.GetOrganization(ctx, m.OrgID)
	if err != nil {
		return err
	}
	if g.Status != org.StatusActive {
		return org.ErrNotActive
	}
	if g.Members >= max {
		return org.ErrFull(max)
	}
	return errChanged
}

// SetRole changes a member's role if it still is from.
func (o *Orgs) SetRole(ctx context.Context, orgID, userID string, from, to org.Role, audit org.AuditEntry) error {
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	u := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(MemberKey(orgID, userID)),
		UpdateExpression: aws.String("SET #r = :to"), ConditionExpression: aws.String("#r = :from"),
		ExpressionAttributeNames:  map[string]string{"#r": "role"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": s(string(to)), ":from": s(string(from))}}}
	return o.transact(ctx, errChanged, u, aw)
}

// RemoveMember deletes a membership (never the owner's) and lowers the count; with block,
// the organization code stops letting that user back in.
func (o *Orgs) RemoveMember(ctx context.Context, orgID, userID string, block bool, audit org.AuditEntry) error {
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	d := workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(MemberKey(orgID, userID)),
		ConditionExpression:       aws.String("attribute_exists(PK) AND #r <> :owner"),
		ExpressionAttributeNames:  map[string]string{"#r": "role"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": s(string(org.Owner))}}}
	count := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)),
		UpdateExpression: aws.String("SET members = members - :one"), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}}}
	writes := []workflow.Write{d, count, aw}
	if block {
		bw, err := o.put(codeItem{Key: RemovedKey(orgID, userID), OrgID: orgID}, "")
		if err != nil {
			return err
		}
		writes = append(writes, bw)
	}
	return o.transact(ctx, errChanged, writes...)
}

// TransferOwnership swaps the owner role, all or nothing.
func (o *Orgs) TransferOwnership(ctx context.Context, orgID, oldOwner, newOwner string, audit org.AuditEntry) error {
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	role := func(userID string, from []org.Role, to org.Role) workflow.Write {
		values := map[string]types.AttributeValue{":to": s(string(to))}
		var in []string
		for i, f := range from {
			n := fmt.Sprintf(":f%d", i)
			values[n] = s(string(f))
			in = append(in, n)
		}
		return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(MemberKey(orgID, userID)),
			UpdateExpression: aws.String("SET #r = :to"), ConditionExpression: aws.String("#r IN (" + strings.Join(in, ",") + ")"),
			ExpressionAttributeNames: map[string]string{"#r": "role"}, ExpressionAttributeValues: values}}
	}
	owner := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)),
		UpdateExpression: aws.String("SET ownerId = :n"), ConditionExpression: aws.String("ownerId = :o"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": s(newOwner), ":o": s(oldOwner)}}}
	return o.transact(ctx, errChanged,
		role(oldOwner, []org.Role{org.Owner}, org.Admin),
		role(newOwner, []org.Role{org.Admin, org.Developer, org.Viewer}, org.Owner),
		owner, aw)
}

// PendingLock marks a request of kind as waiting, refused if one waits already or, with
// unless, if a request of that kind waits.
func (o *Orgs) PendingLock(orgID, kind, unless string) []workflow.Write {
	writes := []workflow.Write{{Put: &types.Put{TableName: &o.table, Item: keyAV(PendingKey(orgID, kind)), ConditionExpression: aws.String("attribute_not_exists(PK)")}}}
	if unless != "" {
		writes = append(writes, workflow.Write{Check: &types.ConditionCheck{TableName: &o.table, Key: keyAV(PendingKey(orgID, unless)), ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	return writes
}

// PendingRelease removes the mark of a waiting request.
func (o *Orgs) PendingRelease(orgID, kind string) workflow.Write {
	return workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(PendingKey(orgID, kind))}}
}

// CodeReservation is the write reserving a code for an organization (refused if taken).
func (o *Orgs) CodeReservation(orgID, code string) (workflow.Write, error) {
	return o.put(codeItem{Key: OrgCodeKey(code), OrgID: orgID}, "attribute_not_exists(PK)")
}

// CodeWrites are the writes giving an organization a new code: the code's reservation
// (refused if taken), the organization's code, and the old reservation's removal.
func (o *Orgs) CodeWrites(orgID, oldCode, newCode string) ([]workflow.Write, error) {
	cw, err := o.CodeReservation(orgID, newCode)
	if err != nil {
		return nil, err
	}
	values := map[string]types.AttributeValue{":c": s(newCode)}
	cond := "attribute_not_exists(code)"
	if oldCode != "" {
		cond = "code = :old"
		values[":old"] = s(oldCode)
	}
	writes := []workflow.Write{cw, {Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)),
		UpdateExpression: aws.String("SET code = :c"), ConditionExpression: aws.String(cond), ExpressionAttributeValues: values}}}
	if oldCode != "" {
		writes = append(writes, workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(OrgCodeKey(oldCode))}})
	}
	return writes, nil
}

// ReplaceCode gives the organization a new code and retires the old one.
func (o *Orgs) ReplaceCode(ctx context.Context, orgID, oldCode, newCode string, audit org.AuditEntry) error {
	writes, err := o.CodeWrites(orgID, oldCode, newCode)
	if err != nil {
		return err
	}
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append(writes, aw)...)
}

// setClauses adds one "#<prefix>N = :<prefix>N" clause per attribute, in name order, with
// its name and value, for an update expression.
func setClauses(prefix string, attrs map[string]types.AttributeValue, names map[string]string, values map[string]types.AttributeValue) []string {
	keys := slices.Sorted(maps.Keys(attrs))
	clauses := make([]string, 0, len(keys))
	for i, k := range keys {
		name, value := fmt.Sprintf("#%s%d", prefix, i), fmt.Sprintf(":%s%d", prefix, i)
		names[name], values[value] = k, attrs[k]
		clauses = append(clauses, name+" = "+value)
	}
	return clauses
}

// StatusWrite sets an organization's status (and name, reason) if it is in one of from.
func (o *Orgs) StatusWrite(orgID string, from []org.Status, to org.Status, set map[string]string) workflow.Write {
	values := map[string]types.AttributeValue{":to": s(string(to))}
	names := map[string]string{"#s": "status"}
	attrs := make(map[string]types.AttributeValue, len(set))
	for k, v := range set {
		attrs[k] = s(v)
	}
	expr := append([]string{"#s = :to"}, setClauses("a", attrs, names, values)...)
	var in []string
	for i, f := range from {
		n := fmt.Sprintf(":f%d", i)
		values[n] = s(string(f))
		in = append(in, n)
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)),
		UpdateExpression: aws.String("SET " + strings.Join(expr, ", ")), ConditionExpression: aws.String("#s IN (" + strings.Join(in, ",") + ")"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values}}
}

// OpenChecks hold a transaction to the organization being active with no offboarding
// waiting: what creates a way to call its apps must not slip past an offboarding, whose
// cleanup lists those ways when operations decide it.
func (o *Orgs) OpenChecks(orgID string) []workflow.Write {
	return []workflow.Write{
		{Check: &types.ConditionCheck{TableName: &o.table, Key: keyAV(OrgKey(orgID)), ConditionExpression: aws.String("#s = :active"),
			ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]types.AttributeValue{":active": s(string(org.StatusActive))}}},
		{Check: &types.ConditionCheck{TableName: &o.table, Key: keyAV(PendingKey(orgID, org.KindOffboarding)), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	}
}

// OffboardingPending says whether an offboarding request of the organization waits.
func (o *Orgs) OffboardingPending(ctx context.Context, orgID string) (bool, error) {
	var k Key
	err := o.get(ctx, PendingKey(orgID, org.KindOffboarding), &k, "pending offboarding")
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// RecordAudit stores one audit entry.
func (o *Orgs) RecordAudit(ctx context.Context, e org.AuditEntry) error {
	aw, err := o.AuditWrite(e)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, aw)
}

// Audit reads one page of the audit entries f selects, newest first. An organization's
// entries are its own partition and every organization's are GSI1's AUDIT partition, both
// sorted by time, so the time bounds are part of the key condition; actor and action
// filter what the query reads, and paging reads on until the page is full.
func (o *Orgs) Audit(ctx context.Context, f org.AuditFilter, page paging.Page) ([]org.AuditEntry, string, error) {
	from, to := "0", "9" // every timestamp sorts between them
	if !f.From.IsZero() {
		from = f.From.UTC().Format(auditTime)
	}
	if !f.To.IsZero() {
		// Entries at To itself sort after it, with their "#id": excluded, as they should be.
		to = f.To.UTC().Format(auditTime)
	}
	in := o.byGSI1Range(allAudit, from, to)
	if f.OrgID != "" {
		in = o.byPrefix(OrgKey(f.OrgID).PK, auditPrefix, false, 0)
		in.KeyConditionExpression = aws.String("PK = :pk AND SK BETWEEN :from AND :to")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":pk": s(OrgKey(f.OrgID).PK), ":from": s(auditPrefix + from), ":to": s(auditPrefix + to)}
	}
	in.ScanIndexForward = aws.Bool(false)
	var filters []string
	if f.Actor != "" {
		filters = append(filters, "contains(actor, :actor)")
		in.ExpressionAttributeValues[":actor"] = s(strings.ToLower(f.Actor))
	}
	if f.Action != "" {
		filters = append(filters, "#action = :action")
		in.ExpressionAttributeValues[":action"] = s(f.Action)
		in.ExpressionAttributeNames = map[string]string{"#action": "action"}
	}
	if len(filters) > 0 {
		in.FilterExpression = aws.String(strings.Join(filters, " AND "))
	}
	items, next, err := queryPage[auditItem](ctx, o.db, *in, page)
	entries := make([]org.AuditEntry, len(items))
	for i, it := range items {
		entries[i] = it.AuditEntry
	}
	return entries, next, err
}

// auditTime is how audit keys write an entry's time: sortable as text.
const auditTime = "2006-01-02T15:04:05.000Z"

// Commit runs writes as one transaction; a failed condition returns conflict.
func (o *Orgs) Commit(ctx context.Context, conflict error, writes ...workflow.Write) error {
	return o.transact(ctx, conflict, writes...)
}

// renewalUpdate is an update of the organization item, on condition that it is active and
// cond holds.
func (o *Orgs) renewalUpdate(orgID, expr, cond string, names map[string]string, values map[string]types.AttributeValue) workflow.Write {
	names["#s"] = "status"
	values[":active"] = s(string(org.StatusActive))
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)), UpdateExpression: aws.String(expr),
		ConditionExpression: aws.String("#s = :active AND " + cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}
}

// unsubmitted is the condition that no renewal is submitted and, with draftID, that the
// draft is the organization's renewal.
func unsubmitted(draftID string, values map[string]types.AttributeValue) string {
	cond := "attribute_not_exists(renewal.requestId)"
	if draftID != "" {
		values[":draft"] = s(draftID)
		cond += " AND renewal.id = :draft"
	}
	return cond
}

// RenewalDraftWrite stores r as the organization's renewal waiting for proofs.
func (o *Orgs) RenewalDraftWrite(orgID string, r org.Renewal) (workflow.Write, error) {
	av, err := attributevalue.Marshal(r)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal renewal")
	}
	values := map[string]types.AttributeValue{":r": av}
	return o.renewalUpdate(orgID, "SET renewal = :r", unsubmitted("", values), map[string]string{}, values), nil
}

// RenewalProofWrite records the proof for one certificate of an unsubmitted renewal.
func (o *Orgs) RenewalProofWrite(orgID, renewalID, certificate string, p possession.Proof) (workflow.Write, error) {
	av, err := marshalProof(p)
	if err != nil {
		return workflow.Write{}, err
	}
	values := map[string]types.AttributeValue{":p": av}
	names := map[string]string{"#p": possessionAttribute(certificate)}
	return o.renewalUpdate(orgID, "SET renewal.#p = :p", unsubmitted(renewalID, values)+" AND attribute_not_exists(renewal.#p)", names, values), nil
}

// RenewalSubmitWrite stores r as submitted in its request.
func (o *Orgs) RenewalSubmitWrite(orgID, draftID string, r org.Renewal) (workflow.Write, error) {
	av, err := attributevalue.Marshal(r)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal renewal")
	}
	values := map[string]types.AttributeValue{":r": av}
	return o.renewalUpdate(orgID, "SET renewal = :r", unsubmitted(draftID, values), map[string]string{}, values), nil
}

// RenewalApplyWrite puts r's certificates in force and removes the renewal.
func (o *Orgs) RenewalApplyWrite(orgID, draftID string, r org.Renewal) (workflow.Write, error) {
	attrs := map[string]types.AttributeValue{}
	for _, c := range []struct {
		kind, pem string
		proof     *possession.Proof
	}{{"qwac", r.QWACPEM, r.QWACPossession}, {"qsealc", r.QSealCPEM, r.QSealCPossession}} {
		if c.pem == "" {
			continue
		}
		if c.proof == nil {
			return workflow.Write{}, apperr.Wrap(errors.New("unproven certificate"), "apply renewal %s", r.ID)
		}
		av, err := marshalProof(*c.proof)
		if err != nil {
			return workflow.Write{}, err
		}
		attrs[c.kind+"Pem"], attrs[possessionAttribute(c.kind)] = s(c.pem), av
	}
	names, values := map[string]string{}, map[string]types.AttributeValue{}
	expr := "SET " + strings.Join(setClauses("a", attrs, names, values), ", ") + " REMOVE renewal"
	cond := unsubmitted(draftID, values)
	if r.RequestID != "" {
		values[":req"] = s(r.RequestID)
		cond = "renewal.requestId = :req"
	}
	return o.renewalUpdate(orgID, expr, cond, names, values), nil
}

// RenewalEndWrite removes the renewal of request requestID; refused if another renewal
// took its place, which the pending request's lock rules out.
func (o *Orgs) RenewalEndWrite(orgID, requestID string) workflow.Write {
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgKey(orgID)), UpdateExpression: aws.String("REMOVE renewal"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(renewal) OR renewal.requestId = :req)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":req": s(requestID)}}}
}
