package workflow

import (
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Outcome is what an approving decision means for the workflow.
type Outcome string

// Outcomes of an approving decision. A rejection is SendTaskFailure with error Rejected.
const (
	// Approved applies the effects and ends the workflow.
	Approved Outcome = "APPROVED"
	// NextStep applies the effects and waits for the next decision (multi-step approvals).
	NextStep Outcome = "NEXT_STEP"
)

// RejectedError is the error name a rejection is sent with; the ASL catches it by name.
const RejectedError = "Rejected"

// Mail is an email the workflow sends through SES, from the configured sender.
type Mail struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
}

// Effects are what the workflow does after a decision or a timeout: one DynamoDB
// transaction (all or nothing), optionally deletes that follow it, and optionally one
// email.
type Effects struct {
	Outcome       Outcome          `json:"outcome,omitempty"`
	TransactItems []map[string]any `json:"transactItems"`
	Mail          *Mail            `json:"mail,omitempty"`
	// Cleanup are items deleted one by one after the transaction: more than a transaction
	// holds (the lookup copies of an offboarded organization's credentials). A final
	// decision only.
	Cleanup []Delete `json:"cleanup,omitempty"`
	// CleanupMarker is the Put the workflow writes when a cleanup delete fails, before the
	// execution ends failed: it tells the reconciler what is left to finish. Required
	// with Cleanup (WithCleanup sets both).
	CleanupMarker map[string]any `json:"cleanupMarker,omitempty"`
}

// WithCleanup is e with the deletes that follow its transaction, and the marker written
// if one of them fails.
func (e Effects) WithCleanup(deletes []Delete, marker Write) (Effects, error) {
	if len(deletes) == 0 {
		e.Cleanup, e.CleanupMarker = nil, nil
		return e, nil
	}
	if marker.Put == nil {
		return Effects{}, fmt.Errorf("a cleanup marker is a Put")
	}
	wire, err := marker.wire()
	if err != nil {
		return Effects{}, fmt.Errorf("cleanup marker: %w", err)
	}
	e.Cleanup, e.CleanupMarker = deletes, wire
	return e, nil
}

// Delete is an item a cleanup deletes: its table names it, so that a cleanup may reach
// every table the workflow's role may write.
type Delete struct {
	Table string `json:"table"`
	PK    string `json:"pk"`
	SK    string `json:"sk"`
}

// Request locates the request item the workflow stores its task token on.
type Request struct {
	PK string `json:"pk"`
	SK string `json:"sk"`
}

// Input is an execution's input: the request, what to do if nobody decides in time, and
// what to do if a decision cannot be applied.
type Input struct {
	Request   Request `json:"request"`
	OnTimeout Effects `json:"onTimeout"`
	// OnFailure is applied when a decision's writes cannot be: it releases what the
	// request held, so nothing stays pending for ever.
	OnFailure Effects `json:"onFailure"`
}

// Write is one write of an Effects transaction, in the SDK's terms; ToWire turns it into
// the JSON the Step Functions DynamoDB integration expects.
type Write struct {
	Put    *types.Put
	Update *types.Update
	Check  *types.ConditionCheck
	Delete *types.Delete
}

// Transaction converts writes to the transactItems of an Effects.
func Transaction(writes ...Write) ([]map[string]any, error) {
	out := make([]map[string]any, 0, len(writes))
	for i, w := range writes {
		item, err := w.wire()
		if err != nil {
			return nil, fmt.Errorf("write %d: %w", i, err)
		}
		out = append(out, item)
	}
	return out, nil
}

func (w Write) wire() (map[string]any, error) {
	switch {
	case w.Put != nil:
		m := map[string]any{"TableName": deref(w.Put.TableName), "Item": avMap(w.Put.Item)}
		addCondition(m, w.Put.ConditionExpression, w.Put.ExpressionAttributeNames, w.Put.ExpressionAttributeValues)
		return map[string]any{"Put": m}, nil
	case w.Update != nil:
		m := map[string]any{"TableName": deref(w.Update.TableName), "Key": avMap(w.Update.Key), "UpdateExpression": deref(w.Update.UpdateExpression)}
		addCondition(m, w.Update.ConditionExpression, w.Update.ExpressionAttributeNames, w.Update.ExpressionAttributeValues)
		return map[string]any{"Update": m}, nil
	case w.Check != nil:
		m := map[string]any{"TableName": deref(w.Check.TableName), "Key": avMap(w.Check.Key)}
		addCondition(m, w.Check.ConditionExpression, w.Check.ExpressionAttributeNames, w.Check.ExpressionAttributeValues)
		return map[string]any{"ConditionCheck": m}, nil
	case w.Delete != nil:
		m := map[string]any{"TableName": deref(w.Delete.TableName), "Key": avMap(w.Delete.Key)}
		addCondition(m, w.Delete.ConditionExpression, w.Delete.ExpressionAttributeNames, w.Delete.ExpressionAttributeValues)
		return map[string]any{"Delete": m}, nil
	}
	return nil, fmt.Errorf("empty write")
}

func addCondition(m map[string]any, cond *string, names map[string]string, values map[string]types.AttributeValue) {
	if cond != nil {
		m["ConditionExpression"] = *cond
	}
	if len(names) > 0 {
		m["ExpressionAttributeNames"] = names
	}
	if len(values) > 0 {
		m["ExpressionAttributeValues"] = avMap(values)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func avMap(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = wireAV(v)
	}
	return out
}

// wireAV is DynamoDB's JSON form of one attribute value ({"S": "x"}, {"N": "1"}, ...).
func wireAV(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": avMap(v.Value)}
	case *types.AttributeValueMemberL:
		list := make([]any, len(v.Value))
		for i, e := range v.Value {
			list[i] = wireAV(e)
		}
		return map[string]any{"L": list}
	}
	panic(fmt.Sprintf("workflow: attribute value %T has no wire form", v))
}
