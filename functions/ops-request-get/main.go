// Command ops-request-get is the Lambda function of the portal route "ops-request-get".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("ops-request-get") }
