package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
)

var _ possession.Store = (*Orgs)(nil)

// challengeItem is a certificate's current challenge under its organization.
type challengeItem struct {
	Key
	possession.Challenge
	// ExpiresEpochMs is the expiry as a number, so a condition compares instants, not
	// strings.
	ExpiresEpochMs int64 `dynamodbav:"expiresEpochMs"`
	// TTL lets DynamoDB delete the challenge a day after it expired; until then a second
	// use is told "used" rather than "unknown".
	TTL int64 `dynamodbav:"ttl"`
}

// issuanceItem records whom the sandbox CA issued a certificate to.
type issuanceItem struct {
	Key
	possession.Issuance
	TTL int64 `dynamodbav:"ttl"`
}

// PutChallenge stores the certificate's new challenge unless a live one (unused, not
// expired at now) is there, and returns the one stored: two pages showing the challenge at
// once show the same.
func (o *Orgs) PutChallenge(ctx context.Context, c possession.Challenge, now time.Time) (possession.Challenge, error) {
	w, err := o.put(challengeItem{Key: ChallengeKey(c.OrgID, c.Fingerprint), Challenge: c, ExpiresEpochMs: c.ExpiresAt.UnixMilli(),
		TTL: c.ExpiresAt.Add(24 * time.Hour).Unix()}, "")
	if err != nil {
		return possession.Challenge{}, err
	}
	_, err = o.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &o.table, Item: w.Put.Item,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR #used = :true OR expiresEpochMs <= :now"),
		ExpressionAttributeNames: map[string]string{"#used": "used"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true},
			":now": &types.AttributeValueMemberN{Value: fmt.Sprint(now.UnixMilli())}}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return o.Challenge(ctx, c.OrgID, c.Fingerprint)
	}
	if err != nil {
		return possession.Challenge{}, apperr.Wrap(err, "put challenge")
	}
	return c, nil
}

// Challenge returns the certificate's current challenge in the organization.
func (o *Orgs) Challenge(ctx context.Context, orgID, fingerprint string) (possession.Challenge, error) {
	var it challengeItem
	err := o.get(ctx, ChallengeKey(orgID, fingerprint), &it, "challenge")
	return it.Challenge, err
}

// SpendWrite marks the challenge used if it still is the current one (same text), unused
// and unexpired at now: of two proofs with one challenge, one transaction wins.
func (o *Orgs) SpendWrite(c possession.Challenge, now time.Time) workflow.Write {
	return workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(ChallengeKey(c.OrgID, c.Fingerprint)),
		UpdateExpression:         aws.String("SET #used = :true, usedAt = :at"),
		ConditionExpression:      aws.String("challenge = :text AND #used = :false AND expiresEpochMs > :now"),
		ExpressionAttributeNames: map[string]string{"#used": "used"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true},
			":false": &types.AttributeValueMemberBOOL{Value: false}, ":text": s(c.Text), ":at": s(now.UTC().Format(time.RFC3339Nano)),
			":now": &types.AttributeValueMemberN{Value: fmt.Sprint(now.UnixMilli())}}}}
}

// IssuanceWrite records that the sandbox CA issued a certificate to a user; a certificate
// is issued once, so the record is never replaced.
func (o *Orgs) IssuanceWrite(i possession.Issuance) (workflow.Write, error) {
	return o.put(issuanceItem{Key: IssuanceKey(i.Fingerprint), Issuance: i, TTL: i.NotAfter.Add(24 * time.Hour).Unix()}, "attribute_not_exists(PK)")
}

// RecordIssuance stores an issuance record on its own.
func (o *Orgs) RecordIssuance(ctx context.Context, i possession.Issuance) error {
	w, err := o.IssuanceWrite(i)
	if err != nil {
		return err
	}
	_, err = o.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &o.table, Item: w.Put.Item, ConditionExpression: w.Put.ConditionExpression})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// The SDK retries a put whose answer was lost: the record it finds may be its own
		// first attempt's, which is a success, not a second issuance.
		if had, gerr := o.Issuance(ctx, i.Fingerprint); gerr == nil && had.UserID == i.UserID && had.IssuedAt.Equal(i.IssuedAt) {
			return nil
		}
		return errIssued
	}
	if err != nil {
		return apperr.Wrap(err, "put issuance")
	}
	return nil
}

// errIssued refuses a second record of one certificate's issuance.
var errIssued = apperr.New(apperr.Conflict, "CONFLICT", "This certificate's issuance is recorded already.")

// Issuance returns whom the sandbox CA issued the certificate to.
func (o *Orgs) Issuance(ctx context.Context, fingerprint string) (possession.Issuance, error) {
	var it issuanceItem
	err := o.get(ctx, IssuanceKey(fingerprint), &it, "issued certificate")
	return it.Issuance, err
}

// marshalProof is a proof as a DynamoDB map, for an update expression.
func marshalProof(p possession.Proof) (types.AttributeValue, error) {
	av, err := attributevalue.Marshal(p)
	if err != nil {
		return nil, apperr.Wrap(err, "marshal proof")
	}
	return av, nil
}
