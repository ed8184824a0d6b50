package localstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bank/devportal/shared/localstack"
	"github.com/bank/devportal/shared/resources"
	"github.com/bank/devportal/shared/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestBootstrapIsIdempotent(t *testing.T) {
	c := testkit.Config(t, testkit.MotoEndpoint(t))
	awsCfg := testkit.AWS(t, c)
	ctx := context.Background()
	first, err := localstack.Bootstrap(ctx, awsCfg, c, testkit.Ops)
	if err != nil {
		t.Fatal(err)
	}
	second, err := localstack.Bootstrap(ctx, awsCfg, c, testkit.Ops)
	if err != nil {
		t.Fatal(err)
	}
	if first != second || first.UserPoolID == "" || first.UserPoolClientID == "" {
		t.Fatalf("first %+v, second %+v", first, second)
	}
	idp := cip.NewFromConfig(awsCfg)
	pool, err := idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &first.UserPoolID})
	if err != nil {
		t.Fatal(err)
	}
	want := resources.PortalUserPool(c)
	pp := pool.UserPool.Policies.PasswordPolicy
	if aws.ToInt32(pp.MinimumLength) != int32(want.MinLength) || pp.RequireSymbols != want.RequireSymbols || pp.RequireUppercase != want.RequireUppercase {
		t.Fatalf("password policy %+v, want %+v", pp, want)
	}
	groups, err := idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &first.UserPoolID, Username: &testkit.Ops.Email})
	if err != nil || len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != c.OpsGroup {
		t.Fatalf("ops user groups = %+v, %v", groups, err)
	}
	table, err := dynamodb.NewFromConfig(awsCfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &c.PortalTable})
	if err != nil {
		t.Fatal(err)
	}
	var got, wantGSIs []string
	for _, g := range table.Table.GlobalSecondaryIndexes {
		got = append(got, aws.ToString(g.IndexName))
	}
	for _, g := range resources.PortalTable(c).GSIs {
		wantGSIs = append(wantGSIs, g.Name)
	}
	slices.Sort(got)
	if fmt.Sprint(got) != fmt.Sprint(wantGSIs) {
		t.Fatalf("indexes %v, want %v", got, wantGSIs)
	}
}

// TestStepFunctionsRunsRepeatedExecutions proves the launcher enables execution and works
// around moto issue #10077 (a second StartExecution failing with "cannot pickle").
func TestStepFunctionsRunsRepeatedExecutions(t *testing.T) {
	c := testkit.Config(t, testkit.MotoEndpoint(t))
	client := sfn.NewFromConfig(testkit.AWS(t, c))
	ctx := context.Background()
	def := `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.name)"},"End":true}}}`
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("repeat-" + testkit.Suffix()), Definition: &def,
		RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn"), Type: sfntypes.StateMachineTypeStandard,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		name := fmt.Sprintf("run%d", i)
		exec, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: &name, Input: aws.String(fmt.Sprintf(`{"name":"n%d"}`, i))})
		if err != nil {
			t.Fatalf("execution %d: %v", i, err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: exec.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if d.Status == sfntypes.ExecutionStatusSucceeded {
				var out struct{ Greeting string }
				if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil || out.Greeting != fmt.Sprintf("hello n%d", i) {
					t.Fatalf("execution %d output %s", i, aws.ToString(d.Output))
				}
				break
			}
			if d.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
				t.Fatalf("execution %d: status %s", i, d.Status)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func TestStartMotoRefusesBusyPort(t *testing.T) {
	busy := testkit.MotoEndpoint(t)
	port := 0
	fmt.Sscanf(busy[strings.LastIndex(busy, ":")+1:], "%d", &port)
	_, err := localstack.StartMoto(context.Background(), t.TempDir(), port, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("err = %v", err)
	}
}
