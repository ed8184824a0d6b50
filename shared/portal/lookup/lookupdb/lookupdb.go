// Package lookupdb answers the portal's lookups (package lookup) from the portal table on
// DynamoDB: one eventually consistent GetItem, or one BatchGetItem, each.
package lookupdb

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
)

// DynamoDBAPI is the DynamoDB calls lookups make.
type DynamoDBAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Reader answers lookups from the portal table.
type Reader struct {
	db    DynamoDBAPI
	table string
}

// NewReader reads the portal table named table.
func NewReader(db DynamoDBAPI, table string) *Reader { return &Reader{db: db, table: table} }

// Certificate finds the app a certificate is attached to (fingerprint: lower-case hex
// SHA-256 of the DER), or lookup.ErrUnknownCertificate.
func (r *Reader) Certificate(ctx context.Context, fingerprint string) (lookup.CertificateOwner, error) {
	var owner lookup.CertificateOwner
	key := lookup.FingerprintKey(fingerprint)
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: keyAV(key), ConsistentRead: aws.Bool(false)})
	if err != nil {
		return owner, fmt.Errorf("lookup %s: %w", key.PK, err)
	}
	if out.Item == nil {
		return owner, lookup.ErrUnknownCertificate
	}
	if err := attributevalue.UnmarshalMap(out.Item, &owner); err != nil {
		return owner, fmt.Errorf("lookup %s: %w", key.PK, err)
	}
	return owner, nil
}

// OrganizationName reads the name of organization orgID (as the portal shows it), which
// the bank's consent page names beside the app asking; lookup.ErrUnknownOrganization when
// there is none.
func (r *Reader) OrganizationName(ctx context.Context, orgID string) (string, error) {
	return r.name(ctx, lookup.OrgKey(orgID), lookup.ErrUnknownOrganization)
}

// AppName reads the name of app appID of organization orgID (as the portal shows it),
// which the bank's list of a customer's consents names; lookup.ErrUnknownApp when there
// is none (the app was removed).
func (r *Reader) AppName(ctx context.Context, orgID, appID string) (string, error) {
	return r.name(ctx, lookup.AppKey(orgID, appID), lookup.ErrUnknownApp)
}

// name reads the name attribute of the item at key, or answers missing.
func (r *Reader) name(ctx context.Context, key lookup.Key, missing error) (string, error) {
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: keyAV(key), ConsistentRead: aws.Bool(false),
		ProjectionExpression: aws.String("#n"), ExpressionAttributeNames: map[string]string{"#n": "name"}})
	if err != nil {
		return "", fmt.Errorf("lookup %s/%s: %w", key.PK, key.SK, err)
	}
	var it struct {
		Name string `dynamodbav:"name"`
	}
	if out.Item == nil {
		return "", missing
	}
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return "", fmt.Errorf("lookup %s/%s: %w", key.PK, key.SK, err)
	}
	return it.Name, nil
}

// maxUnprocessedRounds bounds the retries of keys DynamoDB leaves unprocessed (it does so
// only when throttled).
const maxUnprocessedRounds = 3

// Caller reads, in one BatchGetItem, the certificate's fingerprint lookup and the items of
// the organization and app an API key names, with the organization's copy of the
// certificate. With no orgID it reads the fingerprint lookup alone. The same call reads
// the items of other tables that ahead names, for the call's handler (CallerItems.Ahead).
// Missing items are nil fields; a failed read is an error.
func (r *Reader) Caller(ctx context.Context, fingerprint, orgID, appID string, ahead ...prefetch.Key) (lookup.CallerItems, error) {
	var items lookup.CallerItems
	owner := lookup.FingerprintKey(fingerprint)
	targets := map[lookup.Key]any{owner: &items.Owner}
	if orgID != "" {
		targets[lookup.OrgKey(orgID)] = &items.Org
		targets[lookup.AppKey(orgID, appID)] = &items.App
		targets[lookup.OrgCertificateKey(orgID, fingerprint)] = &items.Certificate
	}
	keys := make([]map[string]types.AttributeValue, 0, len(targets))
	for k := range targets {
		keys = append(keys, keyAV(k))
	}
	// The portal's items may lag a write by a moment, as the check has always read them;
	// the items read ahead are read as their own stores read them, strongly consistent.
	request := map[string]types.KeysAndAttributes{r.table: {Keys: keys, ConsistentRead: aws.Bool(false)}}
	asked := map[prefetch.Key]bool{}
	for _, k := range ahead {
		if k.Table == r.table || asked[k] {
			continue
		}
		asked[k] = true
		ka := request[k.Table]
		ka.Keys, ka.ConsistentRead = append(ka.Keys, k.AttributeValues()), aws.Bool(true)
		request[k.Table] = ka
	}
	if len(asked) > 0 {
		items.Ahead = prefetch.NewItems()
	}
	for round := 0; len(request) > 0; round++ {
		if round == maxUnprocessedRounds {
			return lookup.CallerItems{}, fmt.Errorf("lookup caller %s: keys still unprocessed after %d rounds", fingerprint, round)
		}
		out, err := r.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
		if err != nil {
			return lookup.CallerItems{}, fmt.Errorf("lookup caller %s: %w", fingerprint, err)
		}
		for table, found := range out.Responses {
			if table != r.table {
				for _, item := range found {
					if k, ok := prefetch.KeyOf(table, map[string]types.AttributeValue{prefetch.AttrPK: item[prefetch.AttrPK], prefetch.AttrSK: item[prefetch.AttrSK]}); ok && asked[k] {
						items.Ahead.Put(k, item)
						delete(asked, k)
					}
				}
				continue
			}
			for _, item := range found {
				var k lookup.Key
				if err := attributevalue.UnmarshalMap(item, &k); err != nil {
					return lookup.CallerItems{}, fmt.Errorf("lookup caller %s: %w", fingerprint, err)
				}
				dst, ok := targets[k]
				if !ok {
					return lookup.CallerItems{}, fmt.Errorf("lookup caller %s: unexpected item %s/%s", fingerprint, k.PK, k.SK)
				}
				if err := attributevalue.UnmarshalMap(item, dst); err != nil {
					return lookup.CallerItems{}, fmt.Errorf("lookup caller %s: item %s/%s: %w", fingerprint, k.PK, k.SK, err)
				}
			}
		}
		request = out.UnprocessedKeys
	}
	// A key read and not found is an answer as well: the table has no such item.
	for k := range asked {
		items.Ahead.Put(k, nil)
	}
	return items, nil
}

func keyAV(k lookup.Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}}
}
