package motoserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/resources"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestBootstrapIsIdempotent(t *testing.T) {
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	awsCfg := testenv.AWS(t, c)
	ctx := context.Background()
	first, err := motoserver.Bootstrap(ctx, awsCfg, c, testenv.Ops)
	if err != nil {
		t.Fatal(err)
	}
	second, err := motoserver.Bootstrap(ctx, awsCfg, c, testenv.Ops)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) || first.UserPoolID == "" || first.UserPoolClientID == "" {
		t.Fatalf("first %+v, second %+v", first, second)
	}
	// One usage plan per product and plan, with the plan's figures (burst = rate).
	gw := apigateway.NewFromConfig(awsCfg)
	var plans []string
	for _, p := range apps.Catalog {
		for _, plan := range p.Plans {
			key := apps.UsagePlanKey(p.ID, plan.ID)
			got, err := gw.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: aws.String(first.UsagePlanIDs[key])})
			if err != nil {
				t.Fatalf("usage plan %s: %v", key, err)
			}
			plans = append(plans, fmt.Sprintf("%s:%v/%d/%d", aws.ToString(got.Name), got.Throttle.RateLimit, got.Throttle.BurstLimit, got.Quota.Limit))
		}
	}
	if want := "[oauth2-sandbox:20/20/20000 oauth2-production:100/100/1000000 ais-sandbox:10/10/10000 ais-production:50/50/500000 " +
		"pis-sandbox:10/10/10000 pis-production:50/50/500000 cof-sandbox:10/10/10000 cof-production:50/50/500000 " +
		"pay-later-sandbox:5/5/5000 pay-later-production:20/20/100000]"; fmt.Sprint(plans) != want || len(first.UsagePlanIDs) != 10 {
		t.Fatalf("usage plans %v (%d IDs), want %s", plans, len(first.UsagePlanIDs), want)
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
	groups, err := idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &first.UserPoolID, Username: &testenv.Ops.Email})
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
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	client := sfn.NewFromConfig(testenv.AWS(t, c))
	ctx := context.Background()
	def := `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.name)"},"End":true}}}`
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("repeat-" + testenv.Suffix()), Definition: &def,
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
	busy := testenv.MotoEndpoint(t)
	port := 0
	fmt.Sscanf(busy[strings.LastIndex(busy, ":")+1:], "%d", &port)
	_, err := motoserver.StartMoto(context.Background(), t.TempDir(), port, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("err = %v", err)
	}
}

// TestConditionalWritesAreAtomic sends many conditional updates of one item at once:
// exactly one may win, as on DynamoDB (the launcher serializes moto's DynamoDB requests).
func TestConditionalWritesAreAtomic(t *testing.T) {
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	ctx := context.Background()
	if err := motoserver.CreateTables(ctx, db, c); err != nil {
		t.Fatal(err)
	}
	// Rounds of racers, each round on a fresh item, with a big item so that moto spends
	// time between its condition check and its write.
	const rounds, racers = 20, 32
	padding := &dbtypes.AttributeValueMemberS{Value: strings.Repeat("x", 200_000)}
	for round := range rounds {
		key := map[string]dbtypes.AttributeValue{"PK": &dbtypes.AttributeValueMemberS{Value: fmt.Sprint("RACE#", round)}, "SK": &dbtypes.AttributeValueMemberS{Value: "RACE"}}
		item := map[string]dbtypes.AttributeValue{"PK": key["PK"], "SK": key["SK"], "owner": &dbtypes.AttributeValueMemberS{Value: "none"}, "padding": padding}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &c.PortalTable, Item: item}); err != nil {
			t.Fatal(err)
		}
		wins := make(chan int, racers)
		for i := range racers {
			go func() {
				_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &c.PortalTable, Key: key,
					UpdateExpression: aws.String("SET #o = :me, padding = :pad"), ConditionExpression: aws.String("#o = :none"),
					ExpressionAttributeNames: map[string]string{"#o": "owner"},
					ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":me": &dbtypes.AttributeValueMemberS{Value: fmt.Sprint(i)},
						":none": &dbtypes.AttributeValueMemberS{Value: "none"}, ":pad": padding}})
				if err == nil {
					wins <- 1
				} else {
					wins <- 0
				}
			}()
		}
		total := 0
		for range racers {
			total += <-wins
		}
		if total != 1 {
			t.Fatalf("round %d: %d of %d conditional updates won; exactly one may", round, total, racers)
		}
	}
}
