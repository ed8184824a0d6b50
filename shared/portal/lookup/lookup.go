// Package lookup is the portal's one-read answers for the TPP API: from a presented
// certificate's fingerprint to its app (and, as the TPP API grows, from a client ID to
// the app's access). It is the only portal package the TPP area imports, so it depends on
// nothing of the portal but the item shapes the portal's store writes.
package lookup

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
)

// Environment is where an organization's apps run.
type Environment string

// Environments.
const (
	Sandbox    Environment = "sandbox"
	Production Environment = "production"
)

// CertificateOwner is the app a certificate fingerprint belongs to.
type CertificateOwner struct {
	Fingerprint string      `json:"sha256Fingerprint" dynamodbav:"fingerprint"`
	OrgID       string      `json:"organizationId" dynamodbav:"orgId"`
	AppID       string      `json:"appId" dynamodbav:"appId"`
	Environment Environment `json:"environment" dynamodbav:"environment"`
}

// Key is an item's primary key in the portal table.
type Key struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
}

// FingerprintKey is the item that names the app a presented certificate belongs to.
func FingerprintKey(fingerprint string) Key { return Key{"FPR#" + fingerprint, "FPR"} }

// ClientKey is the copy of a credential, with its app's access, found by client ID.
func ClientKey(clientID string) Key { return Key{"CLIENT#" + clientID, "CLIENT"} }

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

// ErrUnknownCertificate is the answer for a certificate no app presents.
var ErrUnknownCertificate = apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such certificate.")

// Certificate finds the app a certificate is attached to (fingerprint: lower-case hex
// SHA-256 of the DER), or ErrUnknownCertificate.
func (r *Reader) Certificate(ctx context.Context, fingerprint string) (CertificateOwner, error) {
	var owner CertificateOwner
	err := r.get(ctx, FingerprintKey(fingerprint), &owner)
	return owner, err
}

func (r *Reader) get(ctx context.Context, k Key, dst any) error {
	key := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}}
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: key, ConsistentRead: aws.Bool(false)})
	if err != nil {
		return fmt.Errorf("lookup %s: %w", k.PK, err)
	}
	if out.Item == nil {
		return ErrUnknownCertificate
	}
	if err := attributevalue.UnmarshalMap(out.Item, dst); err != nil {
		return fmt.Errorf("lookup %s: %w", k.PK, err)
	}
	return nil
}
