package stacks_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
)

// monitoringResources are the monitoring stack's resources of type typ, by logical ID,
// those of its alarm groups included.
func monitoringResources(t *testing.T, s *synthesized, typ string) map[string]map[string]interface{} {
	t.Helper()
	return resourcesOf(t, s.monitoring, s.monitoringGroups, typ)
}

// alarmsByName are the monitoring stack's alarms' properties by AlarmName, those of its
// alarm groups included, with each group's parameters replaced by the values the
// monitoring stack passes them.
func alarmsByName(t *testing.T, s *synthesized) map[string]map[string]interface{} {
	t.Helper()
	out := map[string]map[string]interface{}{}
	for _, a := range tmplResources(s.monitoring, "AWS::CloudWatch::Alarm") {
		p := props(a)
		out[p["AlarmName"].(string)] = p
	}
	nested := tmplResources(s.monitoring, "AWS::CloudFormation::Stack")
	for _, g := range s.monitoringGroups {
		params, _ := props(nested[g.logicalID])["Parameters"].(map[string]interface{})
		resources, _ := g.json["Resources"].(map[string]interface{})
		for _, raw := range resources {
			r, _ := raw.(map[string]interface{})
			if r["Type"] != "AWS::CloudWatch::Alarm" {
				continue
			}
			p := substituteRefs(props(r), params).(map[string]interface{})
			if _, dup := out[p["AlarmName"].(string)]; dup {
				t.Errorf("two alarms named %s", p["AlarmName"])
			}
			out[p["AlarmName"].(string)] = p
		}
	}
	return out
}

// substituteRefs is v with every {"Ref": name} of a name in params replaced by its value.
func substituteRefs(v interface{}, params map[string]interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		if name := ref(x); name != "" && len(x) == 1 {
			if value, ok := params[name]; ok {
				return value
			}
		}
		out := map[string]interface{}{}
		for k, e := range x {
			out[k] = substituteRefs(e, params)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = substituteRefs(e, params)
		}
		return out
	default:
		return v
	}
}

// alarmedFunction is the logical ID of the function an alarm's FunctionName dimension
// names, following the weak reference to the API stack that defines it: an output of the
// function's name (an authorizer), or the element of a function group's list of names.
func alarmedFunction(t *testing.T, s *synthesized, v interface{}) string {
	t.Helper()
	index := -1
	if m, ok := v.(map[string]interface{}); ok {
		if sel, ok := m["Fn::Select"].([]interface{}); ok && len(sel) == 2 {
			i, _ := sel[0].(float64)
			index, v = int(i), sel[1]
		}
	}
	m, _ := v.(map[string]interface{})
	out, _ := m["Fn::GetStackOutput"].(map[string]interface{})
	producer := map[string]struct {
		tmpl   map[string]interface{}
		groups []nestedTemplate
	}{
		*s.stacks.PortalAPI.StackName(): {*s.api.ToJSON(), s.apiGroups},
		*s.stacks.TPPAPI.StackName():    {*s.tppAPI.ToJSON(), s.tppGroups},
	}[str(out["StackName"])]
	outputs, _ := producer.tmpl["Outputs"].(map[string]interface{})
	o, _ := outputs[str(out["OutputName"])].(map[string]interface{})
	if o == nil {
		t.Errorf("%v is not an output of an API stack", v)
		return ""
	}
	if index < 0 {
		return ref(o["Value"])
	}
	list, _, ok := nestedOutput(producer.groups, o["Value"])
	join, _ := list.(map[string]interface{})["Fn::Join"].([]interface{})
	if _, one := list.(map[string]interface{})["Ref"]; one {
		// CDK writes the join of a group of one function as its one name.
		join = []interface{}{",", []interface{}{list}}
	}
	if !ok || len(join) != 2 || join[0] != "," {
		t.Errorf("output %v is not a function group's list of names: %v", out["OutputName"], list)
		return ""
	}
	names, _ := join[1].([]interface{})
	if index >= len(names) {
		t.Errorf("index %d of %d names", index, len(names))
		return ""
	}
	return ref(names[index])
}

// wantAlarm is an alarm's metric, dimensions and threshold.
type wantAlarm struct {
	namespace, metric string
	dimensions        map[string]interface{}
	threshold         float64
}

// checkAlarm compares the named alarm with want, and checks it notifies the topic of
// ALARM and OK, counts a sum over five minutes, and takes no data as no error.
func checkAlarm(t *testing.T, s *synthesized, alarms map[string]map[string]interface{}, short string, want wantAlarm) {
	t.Helper()
	name := stacks.AlarmName(*s.stacks.Monitoring.StackName(), short)
	a, ok := alarms[name]
	if !ok {
		t.Errorf("no alarm %s", name)
		return
	}
	dims := map[string]interface{}{}
	if raw, ok := a["Dimensions"].([]interface{}); ok {
		for _, d := range raw {
			d := d.(map[string]interface{})
			dims[d["Name"].(string)] = d["Value"]
		}
	}
	if want.dimensions == nil {
		want.dimensions = map[string]interface{}{}
	}
	got := wantAlarm{namespace: str(a["Namespace"]), metric: str(a["MetricName"]), dimensions: dims}
	got.threshold, _ = a["Threshold"].(float64)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s watches %+v, want %+v", name, got, want)
	}
	if a["Statistic"] != "Sum" || a["Period"] != 300.0 || a["EvaluationPeriods"] != 1.0 ||
		a["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" || a["TreatMissingData"] != "notBreaching" {
		t.Errorf("%s: %v %v s × %v, %v, missing data %v", name, a["Statistic"], a["Period"], a["EvaluationPeriods"],
			a["ComparisonOperator"], a["TreatMissingData"])
	}
	topic, _ := only(t, s.monitoring, "AWS::SNS::Topic")
	for _, key := range []string{"AlarmActions", "OKActions"} {
		actions, _ := a[key].([]interface{})
		if len(actions) != 1 || ref(actions[0]) != topic {
			t.Errorf("%s %s = %v, want the alarm topic", name, key, a[key])
		}
	}
}

func str(v interface{}) string {
	s, _ := v.(string)
	return s
}

func TestMonitoringAPIAlarms(t *testing.T) {
	s := synth(t)
	mon := s.stacks.Monitoring
	alarms := alarmsByName(t, s)
	checkAlarm(t, s, alarms, "portal-api-5xx", wantAlarm{
		namespace: "AWS/ApiGateway", metric: "5xx", threshold: 5,
		dimensions: map[string]interface{}{"ApiId": mon.Resolve(s.stacks.PortalAPI.API.ApiId()), "Stage": "$default"},
	})
	checkAlarm(t, s, alarms, "portal-api-throttled", wantAlarm{
		namespace: stacks.MetricNamespace, metric: stacks.ThrottledMetricName("PortalApi"), threshold: 10,
	})
	// REST APIs publish 5XXError by API name and stage.
	tppAPI := s.stacks.TPPAPI
	checkAlarm(t, s, alarms, "tpp-api-5xx", wantAlarm{
		namespace: "AWS/ApiGateway", metric: "5XXError", threshold: 5,
		dimensions: map[string]interface{}{"ApiName": mon.Resolve(tppAPI.API.RestApiName()), "Stage": mon.Resolve(tppAPI.Stage.StageName())},
	})
	checkAlarm(t, s, alarms, "tpp-api-throttled", wantAlarm{
		namespace: stacks.MetricNamespace, metric: stacks.ThrottledMetricName("TppApi"), threshold: 10,
	})

	// Spikes of 401 and 403 answers (sessions, CSRF tokens and certificates tried) alarm.
	for _, api := range []struct{ id, name string }{{"PortalApi", "portal-api"}, {"TppApi", "tpp-api"}} {
		for _, status := range []string{"401", "403"} {
			checkAlarm(t, s, alarms, api.name+"-"+status, wantAlarm{
				namespace: stacks.MetricNamespace, metric: stacks.RefusedMetricName(api.id, status), threshold: 50,
			})
		}
	}

	// The throttled-requests metrics count the access logs' 429 lines, the refusal
	// metrics their 401 and 403 lines.
	filters := monitoringResources(t, s, "AWS::Logs::MetricFilter")
	if len(filters) != 6 {
		t.Errorf("%d metric filters, want three per API", len(filters))
	}
	for _, f := range filters {
		p := props(f)
		mt := p["MetricTransformations"].([]interface{})[0].(map[string]interface{})
		for _, api := range []string{"PortalApi", "TppApi"} {
			for _, status := range []string{"401", "403"} {
				if mt["MetricName"] == stacks.RefusedMetricName(api, status) && p["FilterPattern"] != `{ $.status = "`+status+`" }` {
					t.Errorf("%s: filter pattern %v", mt["MetricName"], p["FilterPattern"])
				}
			}
		}
	}
	for apiID, logGroup := range map[string]*string{
		"PortalApi": s.stacks.PortalAPI.AccessLogs.LogGroupName(),
		"TppApi":    tppAPI.AccessLogs.LogGroupName(),
	} {
		var found bool
		for _, f := range filters {
			p := props(f)
			transforms := p["MetricTransformations"].([]interface{})
			mt := transforms[0].(map[string]interface{})
			if mt["MetricName"] != stacks.ThrottledMetricName(apiID) {
				continue
			}
			found = true
			if p["FilterPattern"] != `{ $.status = "429" }` {
				t.Errorf("%s: filter pattern %v", apiID, p["FilterPattern"])
			}
			if !reflect.DeepEqual(p["LogGroupName"], mon.Resolve(logGroup)) {
				t.Errorf("%s: filter reads %v, not the API's access logs", apiID, p["LogGroupName"])
			}
			if mt["MetricNamespace"] != stacks.MetricNamespace || mt["MetricValue"] != "1" || mt["DefaultValue"] != 0.0 {
				t.Errorf("%s: metric transformation %v", apiID, mt)
			}
		}
		if !found {
			t.Errorf("no metric filter for the %s's 429s in %v", apiID, filters)
		}
	}
	// The access logs record the status the filter reads, as a JSON string.
	if !strings.Contains(stageFormat(t, s), `"status":"$context.status"`) {
		t.Error("the portal API's access log format has no status field for the 429 filter")
	}
	if !strings.Contains(stacks.TPPAccessLogFormat, `"status":"$context.status"`) {
		t.Error("the TPP API's access log format has no status field for the 429 filter")
	}
}

// stageFormat is the portal API stage's access log format.
func stageFormat(t *testing.T, s *synthesized) string {
	t.Helper()
	_, stage := only(t, s.api, "AWS::ApiGatewayV2::Stage")
	logs, _ := props(stage)["AccessLogSettings"].(map[string]interface{})
	return str(logs["Format"])
}

func TestMonitoringFunctionAlarms(t *testing.T) {
	s := synth(t)
	alarms := alarmsByName(t, s)
	mon := s.stacks.Monitoring
	for _, name := range stacks.AllFunctionNames() {
		t.Run(name, func(t *testing.T) {
			a, ok := alarms[stacks.AlarmName(*mon.StackName(), stacks.FunctionErrorsAlarm(name))]
			if !ok {
				t.Fatalf("no alarm %s", stacks.FunctionErrorsAlarm(name))
			}
			dims, _ := a["Dimensions"].([]interface{})
			if len(dims) != 1 || dims[0].(map[string]interface{})["Name"] != "FunctionName" {
				t.Fatalf("dimensions %v, want FunctionName", dims)
			}
			value := dims[0].(map[string]interface{})["Value"]
			if got := alarmedFunction(t, s, value); got != stacks.FunctionLogicalID(name) {
				t.Errorf("the alarm watches %s, want %s", got, stacks.FunctionLogicalID(name))
			}
			checkAlarm(t, s, alarms, stacks.FunctionErrorsAlarm(name), wantAlarm{
				namespace: "AWS/Lambda", metric: "Errors", threshold: 1,
				dimensions: map[string]interface{}{"FunctionName": value},
			})
		})
	}
}

func TestMonitoringWorkflowAlarms(t *testing.T) {
	s := synth(t)
	alarms := alarmsByName(t, s)
	arn := s.stacks.Monitoring.Resolve(s.stacks.Workflows.Approval.StateMachineArn())
	for short, metric := range map[string]string{"approval-failed": "ExecutionsFailed", "approval-timed-out": "ExecutionsTimedOut"} {
		checkAlarm(t, s, alarms, short, wantAlarm{
			namespace: "AWS/States", metric: metric, threshold: 1,
			dimensions: map[string]interface{}{"StateMachineArn": arn},
		})
	}
}

// TestMonitoringAlarmCount: the alarms above and no others (four per API: 5xx, throttled,
// 401 and 403; one per function; two for the workflow).
func TestMonitoringAlarmCount(t *testing.T) {
	s := synth(t)
	want := 2*4 + len(stacks.AllFunctionNames()) + 2
	if got := len(alarmsByName(t, s)); got != want {
		t.Errorf("%d alarms, want %d", got, want)
	}
}

// TestMonitoringWeakReferences: the monitoring stack reads the other stacks' outputs
// without importing exports, so that it never pins a function, API or state machine.
func TestMonitoringWeakReferences(t *testing.T) {
	s := synth(t)
	raw, _ := json.Marshal(s.monitoring.ToJSON())
	if strings.Contains(string(raw), "Fn::ImportValue") {
		t.Error("the monitoring stack imports an export")
	}
	for _, g := range s.monitoringGroups {
		if raw, _ := json.Marshal(g.json); strings.Contains(string(raw), "Fn::ImportValue") || strings.Contains(string(raw), "Fn::GetStackOutput") {
			t.Errorf("alarm group %s references another stack itself; its parameters should", g.id)
		}
	}
	if !strings.Contains(string(raw), "Fn::GetStackOutput") {
		t.Error("the monitoring stack references no other stack")
	}
}

func TestMonitoringTopic(t *testing.T) {
	s := synth(t)
	topicID, topic := only(t, s.monitoring, "AWS::SNS::Topic")
	keyID, key := only(t, s.monitoring, "AWS::KMS::Key")
	if getAtt(props(topic)["KmsMasterKeyId"], "Arn") != keyID {
		t.Errorf("topic key = %v, want the stack's key", props(topic)["KmsMasterKeyId"])
	}
	kp := props(key)
	if kp["EnableKeyRotation"] != true {
		t.Error("key rotation is off")
	}
	policy, _ := json.Marshal(kp["KeyPolicy"])
	for _, want := range []string{`"Service":"cloudwatch.amazonaws.com"`, `"kms:Decrypt"`, `"kms:GenerateDataKey*"`} {
		if !strings.Contains(string(policy), want) {
			t.Errorf("key policy lacks %s: CloudWatch could not publish to the encrypted topic", want)
		}
	}
	_, tp := only(t, s.monitoring, "AWS::SNS::TopicPolicy")
	doc, _ := json.Marshal(props(tp))
	if !strings.Contains(string(doc), `"aws:SecureTransport":"false"`) || !strings.Contains(string(doc), `"Ref":"`+topicID+`"`) {
		t.Errorf("topic policy does not deny plain HTTP: %s", doc)
	}
	check(t, func() {
		s.monitoring.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]interface{}{
			"Protocol": "email", "Endpoint": testAlarmEmail, "TopicArn": map[string]interface{}{"Ref": topicID},
		})
	})
}

func TestMonitoringDashboard(t *testing.T) {
	s := synth(t)
	_, d := only(t, s.monitoring, "AWS::CloudWatch::Dashboard")
	body, _ := json.Marshal(props(d)["DashboardBody"])
	for _, want := range []string{
		`\"alarm\"`, "Portal API: requests and errors", "Portal API: throttled (429)", "Function errors",
		"TPP API: requests and errors", "TPP API: throttled (429)", stacks.ThrottledMetricName("TppApi"),
		"Approval workflow executions", "ExecutionsFailed", "ExecutionsTimedOut", stacks.ThrottledMetricName("PortalApi"),
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}
