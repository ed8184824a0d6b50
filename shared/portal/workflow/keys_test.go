package workflow_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/portal/workflow"
)

// TestCheckHoldsEffectsToKeys: an execution's input and a decision pass only when every
// partition they write (the request, each transaction item, each cleanup delete, the
// cleanup marker) is in a family of workflow.Keys; the refusal names where and which.
func TestCheckHoldsEffectsToKeys(t *testing.T) {
	key := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}}
	}
	effects := func(pks ...string) workflow.Effects {
		var writes []workflow.Write
		for _, pk := range pks {
			writes = append(writes, workflow.Write{Put: &types.Put{TableName: aws.String("t"), Item: key(pk)}})
		}
		items, err := workflow.Transaction(writes...)
		if err != nil {
			t.Fatal(err)
		}
		return workflow.Effects{TransactItems: items}
	}
	withCleanup := func(e workflow.Effects, pk, marker string) workflow.Effects {
		e, err := e.WithCleanup([]workflow.Delete{{Table: "t", PK: pk, SK: "X"}}, workflow.Write{Put: &types.Put{TableName: aws.String("t"), Item: key(marker)}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	outside := func(where, pk string) string {
		return `workflow: ` + where + ` writes partition "` + pk + `", outside the state machine's key families ` +
			`[CLEANUP# CLIENT# FPR# INVTOKEN# ORG# ORGCODE# ORGIDENT# REQUEST#]: add its family to workflow.Keys`
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a decision in families", effects("ORG#o", "CLIENT#c", "FPR#f").Check(), ""},
		{"a decision outside", effects("ORG#o", "USER#u").Check(), outside("the decision", "USER#u")},
		{"a cleanup outside", withCleanup(effects("ORG#o"), "SESSION#s", "CLEANUP#o").Check(), outside("the decision's cleanup", "SESSION#s")},
		{"a cleanup marker outside", withCleanup(effects("ORG#o"), "CLIENT#c", "LINK#l").Check(), outside("the decision", "LINK#l")},
		{"a cleanup in families", withCleanup(effects("ORG#o"), "CLIENT#c", "CLEANUP#o").Check(), ""},
		{"an input in families", workflow.Input{Request: workflow.Request{PK: "REQUEST#r", SK: "REQUEST"}, OnTimeout: effects("ORG#o"), OnFailure: effects("ORGCODE#c")}.Check(), ""},
		{"an input's request outside", workflow.Input{Request: workflow.Request{PK: "USER#u", SK: "X"}}.Check(), outside("the request", "USER#u")},
		{"an input's time-out outside", workflow.Input{Request: workflow.Request{PK: "REQUEST#r"}, OnTimeout: effects("EMAIL#e")}.Check(), outside("the time-out", "EMAIL#e")},
		{"an input's failure outside", workflow.Input{Request: workflow.Request{PK: "REQUEST#r"}, OnFailure: effects("ATTEMPTS#a")}.Check(), outside("the failure", "ATTEMPTS#a")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if tc.err != nil {
				got = tc.err.Error()
			}
			if got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}
