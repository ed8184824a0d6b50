package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

var _ org.InvitationStore = (*Orgs)(nil)

type inviteItem struct {
	Key
	org.Invitation
	ExpiresEpoch int64 `dynamodbav:"expiresEpoch"`
}

type inviteTokenItem struct {
	Key
	OrgID    string `dynamodbav:"orgId"`
	InviteID string `dynamodbav:"inviteId"`
}

func (o *Orgs) inviteWrites(inv org.Invitation, cond string) ([]workflow.Write, error) {
	iw, err := o.put(inviteItem{Key: InviteKey(inv.OrgID, inv.ID), Invitation: inv, ExpiresEpoch: inv.ExpiresAt.Unix()}, cond)
	if err != nil {
		return nil, err
	}
	tw, err := o.put(inviteTokenItem{Key: InviteTokenKey(inv.TokenHash), OrgID: inv.OrgID, InviteID: inv.ID}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	return []workflow.Write{iw, tw}, nil
}

// InvitationWrites are the writes creating a new invitation and its token lookup.
func (o *Orgs) InvitationWrites(inv org.Invitation) ([]workflow.Write, error) {
	return o.inviteWrites(inv, "attribute_not_exists(PK)")
}

// CreateInvitation stores an invitation, its token lookup and the audit entry together.
func (o *Orgs) CreateInvitation(ctx context.Context, inv org.Invitation, audit org.AuditEntry) error {
	writes, err := o.inviteWrites(inv, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, append(writes, aw)...)
}

// ListInvitations lists an organization's invitations.
func (o *Orgs) ListInvitations(ctx context.Context, orgID string) ([]org.Invitation, error) {
	return queryItems(ctx, o, o.byPrefix(OrgKey(orgID).PK, invitePrefix, true, 0), func(it inviteItem) org.Invitation { return it.Invitation })
}

// GetInvitation returns one invitation of an organization.
func (o *Orgs) GetInvitation(ctx context.Context, orgID, id string) (org.Invitation, error) {
	var it inviteItem
	err := o.get(ctx, InviteKey(orgID, id), &it, "invitation")
	return it.Invitation, err
}

// InvitationByToken finds the invitation a token's hash belongs to.
func (o *Orgs) InvitationByToken(ctx context.Context, hash string) (org.Invitation, error) {
	var t inviteTokenItem
	if err := o.get(ctx, InviteTokenKey(hash), &t, "invitation"); err != nil {
		return org.Invitation{}, err
	}
	return o.GetInvitation(ctx, t.OrgID, t.InviteID)
}

// RenewInvitation replaces the token and expiry of a still-pending invitation.
func (o *Orgs) RenewInvitation(ctx context.Context, inv org.Invitation, oldHash string, audit org.AuditEntry) error {
	writes, err := o.inviteWrites(inv, "#st = :pending")
	if err != nil {
		return err
	}
	writes[0].Put.ExpressionAttributeNames = map[string]string{"#st": "status"}
	writes[0].Put.ExpressionAttributeValues = map[string]types.AttributeValue{":pending": s(string(org.InvitePending))}
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	del := workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(InviteTokenKey(oldHash))}}
	return o.transact(ctx, apperr.New(apperr.Conflict, "INVITATION_CLOSED", "This invitation changed meanwhile; reload."), append(writes, del, aw)...)
}

// RevokeInvitation closes a pending invitation and removes its token lookup.
func (o *Orgs) RevokeInvitation(ctx context.Context, inv org.Invitation, audit org.AuditEntry) error {
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, apperr.New(apperr.Conflict, "INVITATION_CLOSED", "This invitation was already accepted or revoked."),
		o.inviteStatus(inv, org.InviteRevoked, nil),
		workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(InviteTokenKey(inv.TokenHash))}},
		aw)
}

// inviteStatus moves a pending invitation to status; with now, only if unexpired then.
func (o *Orgs) inviteStatus(inv org.Invitation, status org.InvitationStatus, now *time.Time) workflow.Write {
	cond := "#st = :pending AND tokenHash = :hash"
	values := map[string]types.AttributeValue{":to": s(string(status)), ":pending": s(string(org.InvitePending)), ":hash": s(inv.TokenHash)}
	if now != nil {
		cond += " AND expiresEpoch > :now"
		values[":now"] = &types.AttributeValueMemberN{Value: fmt.Sprint(now.Unix())}
	}
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(InviteKey(inv.OrgID, inv.ID)),
		UpdateExpression: aws.String("SET #st = :to"), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: map[string]string{"#st": "status"}, ExpressionAttributeValues: values}}
}

// AcceptInvitation adds the member and closes the invitation in one transaction.
func (o *Orgs) AcceptInvitation(ctx context.Context, inv org.Invitation, m org.Member, max int, now time.Time, audit org.AuditEntry) error {
	mw, err := o.memberWrite(m)
	if err != nil {
		return err
	}
	aw, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	// An invitation lets back in someone who was removed: it lifts the block.
	unblock := workflow.Write{Delete: &types.Delete{TableName: &o.table, Key: keyAV(RemovedKey(m.OrgID, m.UserID))}}
	err = o.transact(ctx, errChanged, o.inviteStatus(inv, org.InviteAccepted, &now), o.countUpdate(m.OrgID, 1, max), mw, aw, unblock)
	if err == errChanged {
		if cur, gerr := o.GetInvitation(ctx, inv.OrgID, inv.ID); gerr == nil && cur.Status != org.InvitePending {
			return apperr.New(apperr.Gone, "INVITATION_CLOSED", "This invitation was already accepted or has been withdrawn.")
		}
		return o.explainAddRefusal(ctx, m, max)
	}
	return err
}
