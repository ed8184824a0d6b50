package consentdb

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// authPrefix begins the sort keys of a consent's authorisations, in its partition.
const authPrefix = "AUTH#"

// authorisationItem is an authorisation as stored: in its consent's partition, ending
// with it (the consent's expiry).
type authorisationItem struct {
	PK  string `dynamodbav:"PK"`
	SK  string `dynamodbav:"SK"`
	TTL int64  `dynamodbav:"ttl,omitempty"`
	consents.Authorisation
}

// addAuthorisation writes authorisation a into the partition of the consent at key, in
// one transaction with the check that the consent is still received.
func addAuthorisation(ctx context.Context, db DynamoDBAPI, table string, key map[string]types.AttributeValue, a consents.Authorisation) error {
	pk := key[tppdata.AttrPK].(*types.AttributeValueMemberS).Value
	av, err := attributevalue.MarshalMap(authorisationItem{PK: pk, SK: authPrefix + a.ID, Authorisation: a})
	if err != nil {
		return fmt.Errorf("consentdb: marshal authorisation: %w", err)
	}
	// The authorisation ends with its consent: it copies the consent's expiry.
	_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key,
			ConditionExpression:      aws.String("attribute_exists(PK) AND #status = :received"),
			ExpressionAttributeNames: map[string]string{"#status": "consentStatus"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":received": s(string(consents.Received)),
			}}},
		{Put: &types.Put{TableName: &table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	}})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return consents.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("consentdb: add authorisation to %s: %w", pk, err)
	}
	return nil
}

// authorisations lists the authorisations in the partition of the consent at key.
func authorisations(ctx context.Context, db DynamoDBAPI, table string, key map[string]types.AttributeValue) ([]consents.Authorisation, error) {
	var list []consents.Authorisation
	var start map[string]types.AttributeValue
	for {
		out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &table, ConsistentRead: aws.Bool(true),
			KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :auth)"),
			ExpressionAttributeNames: map[string]string{"#pk": tppdata.AttrPK, "#sk": tppdata.AttrSK},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": key[tppdata.AttrPK], ":auth": s(authPrefix),
			},
			ExclusiveStartKey: start})
		if err != nil {
			return nil, fmt.Errorf("consentdb: list authorisations: %w", err)
		}
		for _, raw := range out.Items {
			var item authorisationItem
			if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
				return nil, fmt.Errorf("consentdb: unmarshal authorisation: %w", err)
			}
			list = append(list, item.Authorisation)
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	slices.SortFunc(list, func(a, b consents.Authorisation) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return list, nil
}

// AddAuthorisation stores a new authorisation of a received consent.
func (st *Store) AddAuthorisation(ctx context.Context, consentID string, a consents.Authorisation) error {
	return addAuthorisation(ctx, st.db, st.table, consentKey(consentID), a)
}

// Authorisations lists a consent's authorisations, oldest first.
func (st *Store) Authorisations(ctx context.Context, consentID string) ([]consents.Authorisation, error) {
	return authorisations(ctx, st.db, st.table, consentKey(consentID))
}

// AddAuthorisation stores a new authorisation of a received consent.
func (st *PIIS) AddAuthorisation(ctx context.Context, consentID string, a consents.Authorisation) error {
	return addAuthorisation(ctx, st.db, st.table, piisKey(consentID), a)
}

// Authorisations lists a consent's authorisations, oldest first.
func (st *PIIS) Authorisations(ctx context.Context, consentID string) ([]consents.Authorisation, error) {
	return authorisations(ctx, st.db, st.table, piisKey(consentID))
}
