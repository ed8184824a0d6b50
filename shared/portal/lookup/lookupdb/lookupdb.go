// Package lookupdb answers the portal's lookups (package lookup) from the portal table on
// DynamoDB, one eventually consistent GetItem each.
package lookupdb

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/portal/lookup"
)

// GetItemAPI is the one DynamoDB call a lookup makes.
type GetItemAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Reader answers lookups with one eventually consistent GetItem each.
type Reader struct {
	db    GetItemAPI
	table string
}

// NewReader reads the portal table named table.
func NewReader(db GetItemAPI, table string) *Reader { return &Reader{db: db, table: table} }

// Certificate finds the app a certificate is attached to (fingerprint: lower-case hex
// SHA-256 of the DER), or lookup.ErrUnknownCertificate.
func (r *Reader) Certificate(ctx context.Context, fingerprint string) (lookup.CertificateOwner, error) {
	var owner lookup.CertificateOwner
	err := r.get(ctx, lookup.FingerprintKey(fingerprint), &owner)
	return owner, err
}

func (r *Reader) get(ctx context.Context, k lookup.Key, dst any) error {
	key := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}}
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: key, ConsistentRead: aws.Bool(false)})
	if err != nil {
		return fmt.Errorf("lookup %s: %w", k.PK, err)
	}
	if out.Item == nil {
		return lookup.ErrUnknownCertificate
	}
	if err := attributevalue.UnmarshalMap(out.Item, dst); err != nil {
		return fmt.Errorf("lookup %s: %w", k.PK, err)
	}
	return nil
}
