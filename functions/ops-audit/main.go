// Command ops-audit is the Lambda function of the portal route "ops-audit".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("ops-audit") }
