package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/workflow"
)

// Requests stores approval requests in the portal table.
type Requests struct {
	db    DynamoDB
	table string
}

var _ approval.Store = (*Requests)(nil)

// NewRequests returns the request store for the named table.
func NewRequests(db DynamoDB, table string) *Requests { return &Requests{db: db, table: table} }

type requestItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	GSI2PK string `dynamodbav:"GSI2PK"`
	GSI2SK string `dynamodbav:"GSI2SK"`
	approval.Request
}

// WorkflowKey locates a request item for the approval workflow.
func WorkflowKey(id string) workflow.Request {
	k := RequestKey(id)
	return workflow.Request{PK: k.PK, SK: k.SK}
}

func keyAV(k Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: k.PK}, AttrSK: &types.AttributeValueMemberS{Value: k.SK}}
}

// CreateRequest writes the request and the given writes in one transaction.
func (s *Requests) CreateRequest(ctx context.Context, r approval.Request, with ...workflow.Write) error {
	sortKey := r.CreatedAt.Format("2006-01-02T15:04:05.000Z") + "#" + r.ID
	av, err := attributevalue.MarshalMap(requestItem{Key: RequestKey(r.ID), GSI1PK: requestsByStatus(string(r.Status)), GSI1SK: sortKey,
		GSI2PK: requestsOfOrg(r.OrgID), GSI2SK: sortKey, Request: r})
	if err != nil {
		return apperr.Wrap(err, "marshal request")
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}}}
	for _, w := range with {
		items = append(items, types.TransactWriteItem{Put: w.Put, Update: w.Update, ConditionCheck: w.Check, Delete: w.Delete})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return apperr.New(apperr.Conflict, "CONFLICT", "Something changed at the same time; reload and try again.")
	}
	if err != nil {
		return apperr.Wrap(err, "create request")
	}
	return nil
}

// GetRequest returns a request.
func (s *Requests) GetRequest(ctx context.Context, id string) (approval.Request, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: keyAV(RequestKey(id)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return approval.Request{}, apperr.Wrap(err, "get request")
	}
	if out.Item == nil {
		return approval.Request{}, apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such request.")
	}
	var item requestItem
	if err := attributevalue.UnmarshalMap(out.Item, &item); err != nil {
		return approval.Request{}, apperr.Wrap(err, "unmarshal request")
	}
	return item.Request, nil
}

func (s *Requests) query(ctx context.Context, index, pkAttr, pk string, forward bool) ([]approval.Request, error) {
	var out []approval.Request
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ScanIndexForward:          aws.Bool(forward),
	}
	pages := dynamodb.NewQueryPaginator(s.db, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, apperr.Wrap(err, "query requests")
		}
		var items []requestItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, apperr.Wrap(err, "unmarshal requests")
		}
		for _, it := range items {
			out = append(out, it.Request)
		}
	}
	return out, nil
}

// ListRequests lists the requests in a status, oldest first.
func (s *Requests) ListRequests(ctx context.Context, status approval.Status) ([]approval.Request, error) {
	return s.query(ctx, IndexGSI1, AttrGSI1PK, requestsByStatus(string(status)), true)
}

// RequestsPage reads one page of the requests in a status, oldest first.
func (s *Requests) RequestsPage(ctx context.Context, status approval.Status, page paging.Page) ([]approval.Request, string, error) {
	return requestPage(ctx, s, IndexGSI1, AttrGSI1PK, requestsByStatus(string(status)), true, page)
}

// OrganizationRequestsPage reads one page of an organization's requests, newest first.
func (s *Requests) OrganizationRequestsPage(ctx context.Context, orgID string, page paging.Page) ([]approval.Request, string, error) {
	return requestPage(ctx, s, IndexGSI2, AttrGSI2PK, requestsOfOrg(orgID), false, page)
}

func requestPage(ctx context.Context, s *Requests, index, pkAttr, pk string, forward bool, page paging.Page) ([]approval.Request, string, error) {
	items, next, err := queryPage[requestItem](ctx, s.db, dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ScanIndexForward:          aws.Bool(forward),
	}, page)
	out := make([]approval.Request, len(items))
	for i, it := range items {
		out[i] = it.Request
	}
	return out, next, err
}

// ListForOrganization lists an organization's requests, newest first.
func (s *Requests) ListForOrganization(ctx context.Context, orgID string) ([]approval.Request, error) {
	return s.query(ctx, IndexGSI2, AttrGSI2PK, requestsOfOrg(orgID), false)
}

// SetExecution records the workflow execution of a request.
func (s *Requests) SetExecution(ctx context.Context, id, arn string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: keyAV(RequestKey(id)),
		UpdateExpression:          aws.String("SET executionArn = :arn"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":arn": &types.AttributeValueMemberS{Value: arn}},
	})
	if err != nil {
		return apperr.Wrap(err, "set execution")
	}
	return nil
}

func eventAV(e approval.Event) (types.AttributeValue, error) {
	m, err := attributevalue.MarshalMap(e)
	if err != nil {
		return nil, err
	}
	return &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: m}}}, nil
}

// statusUpdate builds the update moving a request between statuses, with its inbox entry.
func (s *Requests) statusUpdate(id string, from []approval.Status, to approval.Status, e approval.Event) (*types.Update, error) {
	ev, err := eventAV(e)
	if err != nil {
		return nil, apperr.Wrap(err, "marshal event")
	}
	values := map[string]types.AttributeValue{
		":to": &types.AttributeValueMemberS{Value: string(to)},
		":g":  &types.AttributeValueMemberS{Value: requestsByStatus(string(to))},
		":ev": ev,
	}
	var in []string
	for i, f := range from {
		name := fmt.Sprintf(":f%d", i)
		values[name] = &types.AttributeValueMemberS{Value: string(f)}
		in = append(in, name)
	}
	return &types.Update{
		TableName:                 &s.table,
		Key:                       keyAV(RequestKey(id)),
		UpdateExpression:          aws.String("SET #s = :to, GSI1PK = :g, history = list_append(history, :ev)"),
		ConditionExpression:       aws.String("#s IN (" + strings.Join(in, ", ") + ")"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: values,
	}, nil
}

// Claim moves a waiting request to DECIDING; it fails if another decision got there first.
func (s *Requests) Claim(ctx context.Context, id, taskToken string, e approval.Event) error {
	u, err := s.statusUpdate(id, []approval.Status{approval.Pending}, approval.Deciding, e)
	if err != nil {
		return err
	}
	u.ConditionExpression = aws.String(*u.ConditionExpression + " AND taskToken = :tok")
	u.ExpressionAttributeValues[":tok"] = &types.AttributeValueMemberS{Value: taskToken}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression,
		ConditionExpression: u.ConditionExpression, ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.New(apperr.Conflict, "REQUEST_DECIDED", "This request has already been decided.")
	}
	if err != nil {
		return apperr.Wrap(err, "claim request")
	}
	return nil
}

// Unclaim puts a DECIDING request back in the inbox.
func (s *Requests) Unclaim(ctx context.Context, id string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: keyAV(RequestKey(id)),
		UpdateExpression:          aws.String("SET #s = :p, GSI1PK = :g"),
		ConditionExpression:       aws.String("#s = :d"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: string(approval.Pending)}, ":d": &types.AttributeValueMemberS{Value: string(approval.Deciding)}, ":g": &types.AttributeValueMemberS{Value: requestsByStatus(string(approval.Pending))}},
	})
	if err != nil {
		return apperr.Wrap(err, "unclaim request")
	}
	return nil
}

// Close returns the write ending a request, for the workflow's transaction.
func (s *Requests) Close(id string, from []approval.Status, to approval.Status, e approval.Event) (workflow.Write, error) {
	u, err := s.statusUpdate(id, from, to, e)
	if err != nil {
		return workflow.Write{}, err
	}
	return workflow.Write{Update: u}, nil
}

// Advance returns the write moving a DECIDING request to its next step.
func (s *Requests) Advance(id string, e approval.Event, expiresAt time.Time, approverID string) (workflow.Write, error) {
	u, err := s.statusUpdate(id, []approval.Status{approval.Deciding}, approval.Pending, e)
	if err != nil {
		return workflow.Write{}, err
	}
	exp, err := attributevalue.Marshal(expiresAt)
	if err != nil {
		return workflow.Write{}, apperr.Wrap(err, "marshal expiry")
	}
	u.UpdateExpression = aws.String(*u.UpdateExpression + ", step = step + :one, expiresAt = :exp, approvers = list_append(if_not_exists(approvers, :none), :approver) REMOVE taskToken")
	u.ExpressionAttributeValues[":one"] = &types.AttributeValueMemberN{Value: "1"}
	u.ExpressionAttributeValues[":none"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	u.ExpressionAttributeValues[":approver"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: approverID}}}
	u.ExpressionAttributeValues[":exp"] = exp
	return workflow.Write{Update: u}, nil
}
