// Command ops-organization-get is the Lambda function of the portal route "ops-organization-get".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("ops-organization-get") }
